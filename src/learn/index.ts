/**
 * Learning: one model per image (scoped by namespace when known), merged
 * across replicas and restarts, started from the static model, learned for a
 * window of observed time, then enforced. Pure: the defender feeds it events
 * and the clock.
 */
import { parseImage } from '../intent/index.ts';
import { emptyModel, type IntentModel, type RuntimeEvent } from '../model/index.ts';
import { intern } from '../intern.ts';
import { LearnIndexes, type IndexKind } from './indexes.ts';
import { ModelLearner, type LearnOptions } from './model-learner.ts';
import { KNOWN, type Verdict } from './verdict.ts';

export { CONVERGENCE, ModelLearner, type LearnOptions } from './model-learner.ts';
export { SYSCALL_FAMILIES } from './syscall-families.ts';
export { entryOf } from './entries.ts';
export type { Verdict } from './verdict.ts';
export { LearnIndexes, type IndexKind } from './indexes.ts';
export { isGenerated, normalisePath } from './generalise.ts';

/** A running container as learning needs it. */
export interface LearnedContainer {
  id: string;
  /** The image id (`sha256:` of its config): the model's id. */
  imageId: string;
  /** The repository the image was pulled or tagged as (`nginx`, `registry/app`), for carrying a model to its next version. */
  repository?: string;
  namespace?: string;
  /** The workload it runs as (a compose service, a Kubernetes workload), when it has one: replicas are containers of one workload. */
  workload?: string;
}

/** The key of a container's model: its image, scoped by namespace when it has one. */
export function modelKey(container: Pick<LearnedContainer, 'imageId' | 'namespace'>): string {
  return container.namespace === undefined ? container.imageId : `${container.namespace}/${container.imageId}`;
}

/**
 * Every model of one defender (or one dry run): the models by key, the
 * container each runs in, and the indexes they share. The indexes are the
 * learner's own, released with it (`release`): two learners never meet.
 */
export class Learner {
  readonly models = new Map<string, ModelLearner>();
  readonly indexes: LearnIndexes;
  private readonly byContainer = new Map<string, ModelLearner>();
  /** Each container's model's slot in the indexes: an event its active model allows is answered from them alone. */
  private readonly slots = new Map<string, number>();
  private readonly repositories = new Map<string, string>();
  private lastAdvance: number | undefined;
  private readonly options: LearnOptions;

  /** `indexes`: the fast indexes (default), or their plain twins. */
  constructor(options: LearnOptions, indexes: IndexKind = 'fast') {
    this.options = options;
    this.indexes = new LearnIndexes(indexes);
  }

  /** Every model gives its slot back: the learner is not used again. */
  release(): void {
    for (const model of this.models.values()) model.release();
    this.models.clear();
    this.byContainer.clear();
    this.slots.clear();
  }

  /**
   * A container started (or was found running): joins the model of its image,
   * which is made from `seed` (the image's static model) when it is new. A new
   * image of a repository that already has a model starts from that model's
   * learned entries.
   */
  attach(container: LearnedContainer, now: number, seed?: IntentModel): ModelLearner {
    const key = modelKey(container);
    let learner = this.models.get(key);
    if (learner === undefined) {
      const base: IntentModel = { ...(seed ?? emptyModel(container.imageId)), id: key };
      const repoKey = container.repository === undefined ? undefined : `${container.namespace ?? ''}\0${container.repository}`;
      const previous = repoKey === undefined ? undefined : this.models.get(this.repositories.get(repoKey) ?? '');
      learner = new ModelLearner(base, this.options, now, {
        indexes: this.indexes,
        ...(previous !== undefined && previous.id !== key && { carried: { from: previous.id, model: previous.snapshot(iso) } }),
        seeded: seed !== undefined,
      });
      this.models.set(key, learner);
      if (repoKey !== undefined) this.repositories.set(repoKey, key);
    } else if (seed !== undefined && !learner.seeded) {
      learner.seed({ ...seed, id: key });
    }
    learner.attach(container.id, container.workload);
    this.track(container.id, learner);
    return learner;
  }

  /** Models the store kept from an earlier run: they go on where they stopped. */
  restore(models: readonly IntentModel[], now: number): void {
    for (const model of models) {
      if (this.models.has(model.id)) continue;
      this.models.set(model.id, ModelLearner.restore(model, this.options, now, this.indexes));
      const repository = model.image === undefined ? undefined : parseImage(model.image).repository;
      const namespace = model.id.includes('/') ? model.id.slice(0, model.id.lastIndexOf('/')) : '';
      if (repository !== undefined) this.repositories.set(`${namespace}\0${repository}`, model.id);
    }
  }

  detach(containerId: string): void {
    this.byContainer.get(containerId)?.detach(containerId);
    this.byContainer.delete(containerId);
    this.slots.delete(containerId);
  }

  private track(containerId: string, model: ModelLearner): void {
    const key = intern(containerId);
    this.byContainer.set(key, model);
    this.slots.set(key, model.slot);
  }

  /**
   * A model that finished learning elsewhere (on another node, through the
   * console) for an image: taken as the image's model when this learner has
   * none, or has one still learning; its running containers move to it, and
   * it is enforced at once. Returns the model taken, if it was.
   */
  adopt(model: IntentModel, now: number): ModelLearner | undefined {
    if (model.state !== 'active') return undefined;
    const local = this.models.get(model.id);
    if (local !== undefined && local.state !== 'learning') return undefined;
    const adopted = ModelLearner.restore(model, this.options, now, this.indexes);
    for (const c of local?.running ?? []) {
      adopted.attach(c);
      this.track(c, adopted);
    }
    this.models.set(model.id, adopted);
    local?.release();
    return adopted;
  }

  modelOf(containerId: string): ModelLearner | undefined {
    return this.byContainer.get(containerId);
  }

  /** Moves every model's learning clock to `now`; returns the models that became active. */
  advance(now: number): ModelLearner[] {
    const elapsed = this.lastAdvance === undefined ? 0 : Math.max(0, now - this.lastAdvance);
    this.lastAdvance = now;
    return [...this.models.values()].filter((m) => m.advance(elapsed, now));
  }

  /** Time that passes unobserved (the sensors were not watching): the clocks stand still. */
  pause(now: number): ModelLearner[] {
    this.lastAdvance = now;
    return [];
  }

  observe(event: RuntimeEvent, containerId: string, now: number): Verdict | undefined {
    // most events are syscalls, writes, peers and names an active model allows: known from the shared indexes, without
    // reading the model (a syscall, the most common, by its own small check)
    const kind = event.kind;
    if (kind === 'syscall' || kind === 'write' || kind === 'connect' || kind === 'dns') {
      const slot = this.slots.get(containerId);
      const indexes = this.indexes;
      if (slot !== undefined && indexes.syscalls.enforced(slot) && (kind === 'syscall' ? indexes.allowSyscall(event, slot) : indexes.allow(event, kind, slot))) return KNOWN;
    }
    return this.byContainer.get(containerId)?.observe(event, containerId, now);
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
