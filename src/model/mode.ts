import { z } from 'zod';
import { ModelDimension } from './intent-model.ts';

/**
 * What Tenet does about behaviour outside a model: keep learning it, report
 * it, stop that one activity, or stop the whole container (opt-in only).
 */
export const Mode = z.enum(['learn', 'alert', 'prevent', 'block']);
export type Mode = z.infer<typeof Mode>;

/** The mode of everything that no setting names. */
export const DEFAULT_MODE: Mode = 'alert';

/** Which containers a mode setting is for, from the widest to the narrowest. */
export const ModeScope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('namespace'), value: z.string().min(1) }),
  z.object({ kind: z.literal('app'), value: z.string().min(1).describe('a Kubernetes app label or a compose project') }),
  z.object({ kind: z.literal('image'), value: z.string().min(1).describe('an image reference, repository or id (a prefix of sha256:…)') }),
]);
export type ModeScope = z.infer<typeof ModeScope>;

/** One `tenet mode` setting: a scope, optionally one dimension, and its mode. */
export const ModeSetting = z.object({
  scope: ModeScope,
  dimension: ModelDimension.optional().describe('absent: every dimension'),
  mode: Mode,
  setAt: z.string(),
});
export type ModeSetting = z.infer<typeof ModeSetting>;

/** The key a setting is kept under: a newer setting of the same scope and dimension replaces it. */
export function modeKey(setting: Pick<ModeSetting, 'scope' | 'dimension'>): string {
  return `${setting.scope.kind}:${setting.scope.kind === 'all' ? '' : setting.scope.value}:${setting.dimension ?? '*'}`;
}
