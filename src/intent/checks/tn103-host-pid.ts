import { whenTrue } from './check.ts';

export const hostPid = whenTrue('TN103', 'hostPID', 'shares the host PID namespace', true);
