import type { Finding, IntentModel } from '../../model/index.ts';
import type { Check } from './check.ts';
import { privileged } from './tn101-privileged.ts';
import { hostNetwork } from './tn102-host-network.ts';
import { hostPid } from './tn103-host-pid.ts';
import { hostIpc } from './tn104-host-ipc.ts';
import { runsAsRoot } from './tn105-runs-as-root.ts';
import { capabilities } from './tn107-capabilities.ts';
import { writableRoot } from './tn109-writable-root.ts';
import { hostMounts } from './tn110-host-mounts.ts';
import { privilegeEscalation } from './tn115-privilege-escalation.ts';
import { seccompUnconfined } from './tn116-seccomp-unconfined.ts';

/** Every risky-intent check, run over every model. */
export const CHECKS: readonly Check[] = [
  privileged, hostNetwork, hostPid, hostIpc, runsAsRoot, capabilities, writableRoot, hostMounts, privilegeEscalation,
  seccompUnconfined,
];

export function checkModels(models: readonly IntentModel[]): Finding[] {
  return models.flatMap((model) => CHECKS.flatMap((c) => c.check(model)));
}

export { DANGEROUS_CAPABILITIES, DEFAULT_CAPABILITIES } from './tn107-capabilities.ts';
export { isRuntimeSocket, isSensitiveHostPath } from './tn110-host-mounts.ts';
