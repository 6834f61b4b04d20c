import { whenTrue } from './check.ts';

export const hostNetwork = whenTrue('TN102', 'hostNetwork', 'shares the host network namespace', true);
