/** Artifacts: pure functions from a model (or its parts) to what an enforcement point takes. */
export {
  allowedSyscalls, checkSeccomp, FALLBACKS, kubernetesName, profileAllows, RUNTIME_SYSCALLS, seccompProfile, spoSeccompProfile,
  type SeccompProfile, type SeccompRule, type SpoSeccompProfile,
} from './seccomp.ts';
export { dropsOut, nftablesRuleset, type NftablesOptions, type NftablesRuleset } from './nftables.ts';
export { execGuardScript, type GuardTarget } from './exec-guard.ts';
export {
  allowedFlows, ciliumNetworkPolicies, DEFAULT_DNS, networkPolicies, networkPolicyGraph,
  type AllowedFlow, type CiliumNetworkPolicy, type ClusterDns, type NetworkPolicy, type NetworkPolicyPeer, type PolicyPod, type PolicySet,
} from './networkpolicy.ts';
export { apparmorProfile } from './apparmor.ts';
export { falcoRules, type FalcoItem } from './falco.ts';
export { composePatch, hardeningOf, securityContextPatch, type Hardening } from './hardening.ts';
export { kubeArmorPolicy, type KubeArmorPolicy } from './kubearmor.ts';
export { targetOf, type Target } from './target.ts';
export { SYSTEM_FOLDERS, tracingPolicy, type TracingPolicy } from './tetragon.ts';
