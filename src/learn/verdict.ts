import type { ModelDimension } from '../model/index.ts';

/** What an event said about its model. */
export type Verdict =
  | { outcome: 'known' }
  | { outcome: 'learned'; dimension: ModelDimension; entry: string }
  | { outcome: 'deviation'; dimension: ModelDimension; entry: string; parent?: string }
  | { outcome: 'ignored' };

export const KNOWN: Readonly<Verdict> = { outcome: 'known' };
export const IGNORED: Readonly<Verdict> = { outcome: 'ignored' };
