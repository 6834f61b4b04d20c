/** Enforcement in action: each enforcement point behind one interface, given the desired state at each reconcile. */
export type { Action, Desired, EnforcedContainer, Enforcer } from './enforcer.ts';
export type { EnforcerStatus, SeccompReport } from './status.ts';
export { ExecGuard } from './exec-guard.ts';
export { NetworkGuard } from './network-guard.ts';
export { FileGuard, resolveIn } from './file-guard.ts';
export { Blocker, STOPPED } from './block.ts';
export { SeccompCheck, type SeccompTarget } from './seccomp-check.ts';
export { DryEnforcer, dryEnforcers, type Enforcers } from './dry.ts';
