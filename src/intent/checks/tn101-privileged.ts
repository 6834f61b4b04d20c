import { whenTrue } from './check.ts';

export const privileged = whenTrue('TN101', 'privileged', 'runs privileged');
