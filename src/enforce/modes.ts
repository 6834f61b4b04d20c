/**
 * Which mode a container's dimension is in, from the `tenet mode` settings:
 * the narrowest scope that names the container wins (image, then app, then
 * namespace, then everything); within one scope, a setting for the dimension
 * wins over one for every dimension. Nothing set: alert.
 */
import { parseImage } from '../intent/index.ts';
import { DEFAULT_MODE, ModelDimension, type Mode, type ModeScope, type ModeSetting } from '../model/index.ts';

/** A container as modes see it. */
export interface ModeTarget {
  /** The image reference it was started from (`nginx:1.27`, `registry/app@sha256:…`). */
  image?: string;
  /** The image id (`sha256:` of its config). */
  imageId?: string;
  namespace?: string;
  app?: string;
}

const RANK: Readonly<Record<ModeScope['kind'], number>> = { all: 0, namespace: 1, app: 2, image: 3 };

/** Whether a scope names a container. */
export function scopeMatches(scope: ModeScope, target: ModeTarget): boolean {
  switch (scope.kind) {
    case 'all': return true;
    case 'namespace': return target.namespace === scope.value;
    case 'app': return target.app === scope.value;
    case 'image': {
      const value = scope.value;
      if (target.imageId !== undefined && (target.imageId.startsWith(value) || (value.length >= 12 && target.imageId.startsWith(`sha256:${value}`)))) return true;
      if (target.image === undefined) return false;
      return target.image === value || parseImage(target.image).repository === value;
    }
  }
}

/** The mode of one dimension of a container. */
export function modeOf(settings: readonly ModeSetting[], target: ModeTarget, dimension: ModelDimension): Mode {
  let best: ModeSetting | undefined;
  let bestRank = -1;
  for (const s of settings) {
    if (s.dimension !== undefined && s.dimension !== dimension) continue;
    if (!scopeMatches(s.scope, target)) continue;
    const rank = RANK[s.scope.kind] * 2 + (s.dimension === undefined ? 0 : 1);
    if (rank > bestRank) {
      best = s;
      bestRank = rank;
    }
  }
  return best?.mode ?? DEFAULT_MODE;
}

/** Every dimension's mode of a container. */
export function modesOf(settings: readonly ModeSetting[], target: ModeTarget): Record<ModelDimension, Mode> {
  return Object.fromEntries(ModelDimension.options.map((d) => [d, modeOf(settings, target, d)])) as Record<ModelDimension, Mode>;
}
