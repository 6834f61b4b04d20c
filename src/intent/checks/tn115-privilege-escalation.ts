import { whenTrue } from './check.ts';

export const privilegeEscalation = whenTrue('TN115', 'allowPrivilegeEscalation', 'allows privilege escalation');
