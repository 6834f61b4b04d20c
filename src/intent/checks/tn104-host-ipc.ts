import { whenTrue } from './check.ts';

export const hostIpc = whenTrue('TN104', 'hostIPC', 'shares the host IPC namespace', true);
