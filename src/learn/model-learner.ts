import type { IntentModel, Learning, ModelDimension, RuntimeEvent, Source } from '../model/index.ts';
import { AllowList } from './allow-list.ts';
import { LearningClock, type Convergence } from './clock.ts';
import { collapse } from './collapse.ts';
import { addLearned, DIMENSIONS, dimensionOf, entryText, mergeArgv, normalise, otherPeerEntries, seedEntries, withoutLearned, type Observed } from './entries.ts';
import { LearnIndexes } from './indexes.ts';
import { familyOf } from './syscall-families.ts';
import { Lineage } from './lineage.ts';
import { IGNORED, KNOWN, type Verdict } from './verdict.ts';

export interface LearnOptions {
  /** The learning window, in time with at least one container of the model running. */
  windowSec: number;
  /** A folder with more distinct learned children than this becomes `folder/*`. */
  collapseAfter?: number;
  /** Distinct peers on one port before the port is allowed to any peer. */
  peersPerPort?: number;
  /** Entries per dimension before the dimension stops growing (and says so). */
  maxEntries?: number;
  /** Replicas observed before behaviour of only one of them is kept apart. */
  consensusReplicas?: number;
  /** When learning ends before the window is over, because the model converged (false: only when the window is over). */
  converge?: Convergence | false;
}

/** A model has converged once every dimension learned nothing new for 5 minutes of observed time, and for as long as its last new entry took to appear and twice its longest repeat, after 100 events. */
export const CONVERGENCE: Readonly<Convergence> = { quietSec: 300, quietFactor: 1, repeatFactor: 2, minEvents: 100 };

const DEFAULTS: Readonly<Required<Omit<LearnOptions, 'windowSec'>>> = { collapseAfter: 8, peersPerPort: 16, maxEntries: 256, consensusReplicas: 3, converge: CONVERGENCE };

/** Where a model learner keeps its entries besides its own lists, and what it carries from before. */
export interface ModelLearnerContext {
  /** The indexes of its learner (default: indexes of its own, as a dry run's model has). */
  indexes?: LearnIndexes;
  /** The model of the previous image of the same repository, whose learned entries it starts from. */
  carried?: { from: string; model: IntentModel };
  /** Whether its static model is the image's (false: it waits for the image to be read). */
  seeded?: boolean;
}

/**
 * One model being learned and enforced: the static model it started from,
 * what was observed for it (generalised, bounded), its learning clock and its
 * replicas. Pure: time comes in as milliseconds, nothing is read or written.
 */
export class ModelLearner {
  // the fields the hot path reads come first: they share the object's first cache line
  private current: 'learning' | 'active' = 'learning';
  /** The model's slot in its learner's indexes (its syscall, program, DNS, egress and writable lists'). */
  readonly slot: number;
  private readonly indexes: LearnIndexes;
  /** The programs seen starting each program. */
  private readonly lineage = new Lineage();
  // everything allowed (seeded or learned): a field per dimension
  private readonly writable: AllowList;
  private readonly dns: AllowList;
  private readonly egress: AllowList;
  private readonly processes: AllowList;
  private readonly listen = new AllowList('listen');
  private readonly reads = new AllowList('reads');
  private readonly syscalls: AllowList;
  private readonly capabilities = new AllowList('capabilities');
  readonly id: string;
  readonly options: Required<LearnOptions>;
  private readonly clock: LearningClock;
  private seedModel: IntentModel;
  /** The entries the static model allows, with their sources. */
  private staticEntries: Map<ModelDimension, Map<string, Source[]>>;
  private hasSeed: boolean;
  private readonly observed = new Map<ModelDimension, Map<string, Observed>>();
  private overflow = new Set<ModelDimension>();
  private outliers: Learning['outliers'] = [];
  private replicas = new Set<string>();
  /** The workload of each container attached (a compose service, a Kubernetes workload): replicas are containers of one workload. */
  private readonly workloads = new Map<string, string>();
  readonly running = new Set<string>();
  /** Container starts the syscall sensor watched from their first call, while learning. */
  private startsSeen = 0;
  private previous: string | undefined;
  /** Syscalls allowed because one of their family was learned: by the one that brought them. */
  private readonly implied = new Map<string, string>();

  constructor(seedModel: IntentModel, options: LearnOptions, now: number, context: ModelLearnerContext = {}) {
    this.indexes = context.indexes ?? new LearnIndexes();
    this.slot = this.indexes.allocate();
    const shared = { indexes: this.indexes, slot: this.slot };
    this.writable = new AllowList('writable', [], shared);
    this.dns = new AllowList('dns', [], shared);
    this.egress = new AllowList('egress', [], shared);
    this.processes = new AllowList('processes', [], shared);
    this.syscalls = new AllowList('syscalls', [], shared);
    this.hasSeed = context.seeded ?? true;
    this.id = seedModel.id;
    this.options = { ...DEFAULTS, ...options };
    this.clock = new LearningClock(this.options.windowSec, now);
    this.seedModel = seedModel;
    this.staticEntries = seedEntries(seedModel);
    this.state = this.options.windowSec > 0 ? 'learning' : 'active';
    if (this.state === 'active') this.clock.activeAt = now;
    this.allowStaticEntries();
    for (const dimension of DIMENSIONS) this.observed.set(dimension, new Map());
    if (context.carried !== undefined) this.carry(context.carried.from, context.carried.model, now);
  }

  /** Gives the model's slot back to its indexes: the model is not used again. */
  release(): void {
    this.indexes.release(this.slot);
  }

  /** Allows exactly what the static model does. */
  private allowStaticEntries(): void {
    for (const dimension of DIMENSIONS) {
      const list = this.allowed(dimension);
      list.clear();
      for (const entry of this.staticEntries.get(dimension)!.keys()) list.add(entry);
    }
  }

  private allowed(dimension: ModelDimension): AllowList {
    switch (dimension) {
      case 'processes': return this.processes;
      case 'listen': return this.listen;
      case 'egress': return this.egress;
      case 'dns': return this.dns;
      case 'writable': return this.writable;
      case 'reads': return this.reads;
      case 'syscalls': return this.syscalls;
      case 'capabilities': return this.capabilities;
    }
  }

  get state(): 'learning' | 'active' {
    return this.current;
  }

  /** The state; an active model's lists are enforced in the indexes, where the learner answers its events without the model. */
  set state(state: 'learning' | 'active') {
    this.current = state;
    this.indexes.syscalls.enforce(this.slot, state === 'active');
  }

  /** Whether the static model of the image joined (it may come after learning started). */
  get seeded(): boolean {
    return this.hasSeed;
  }

  /**
   * The image's static model, read after the model started learning: its
   * entries are allowed from now on, next to what was learned meanwhile.
   */
  seed(seedModel: IntentModel): void {
    this.seedModel = { ...seedModel, id: this.id };
    this.staticEntries = seedEntries(this.seedModel);
    for (const [dimension, entries] of this.staticEntries) for (const entry of entries.keys()) this.allowed(dimension).add(entry);
    this.hasSeed = true;
  }

  /** A new image of the same repository starts from what the previous one learned (and a restart from what this one did). */
  private carry(from: string | undefined, model: IntentModel, now: number): void {
    this.previous = from;
    this.lineage.carry(model);
    const time = (iso: string | undefined) => (iso === undefined || Number.isNaN(Date.parse(iso)) ? now : Date.parse(iso));
    for (const [dimension, entries] of seedEntries(model)) {
      for (const [entry, sources] of entries) {
        const learned = sources.filter((s) => s.kind === 'learned');
        if (learned.length === 0 || this.allowed(dimension).has(entry)) continue;
        this.allowed(dimension).add(entry);
        this.observed.get(dimension)!.set(entry, {
          firstSeen: Math.min(...learned.map((s) => time(s.firstSeen))),
          lastSeen: Math.max(...learned.map((s) => time(s.lastSeen))),
          count: learned.reduce((n, s) => n + (s.count ?? 0), 0),
          containers: new Set(learned.flatMap((s) => s.containers ?? [])),
        });
      }
    }
  }

  /**
   * A model as the store kept it, learning again where it stopped: its clock,
   * replicas, outliers and learned entries come back (the syscalls it learned
   * come back as part of its static model: their sources are not per syscall).
   */
  static restore(model: IntentModel, options: LearnOptions, now: number, indexes?: LearnIndexes): ModelLearner {
    const learning = model.learning;
    const learner = new ModelLearner(withoutLearned(model), { ...options, ...(learning !== undefined && { windowSec: learning.windowSec }) }, now, { ...(indexes !== undefined && { indexes }) });
    learner.carry(learning?.previous, model, now);
    if (learning !== undefined) {
      learner.clock.observedMs = learning.observedSec * 1000;
      learner.clock.startedAt = Date.parse(learning.startedAt) || now;
      learner.replicas = new Set(learning.replicas);
      learner.outliers = learning.outliers;
      learner.overflow = new Set(learning.overflow);
      learner.startsSeen = learning.starts ?? 0;
      learner.clock.restore(learning.convergence);
    }
    learner.state = model.state === 'learning' ? 'learning' : 'active';
    learner.clock.activeAt = learner.state === 'active' ? Date.parse(learning?.activeAt ?? '') || now : undefined;
    return learner;
  }

  get remainingSec(): number {
    return this.clock.remainingSec;
  }

  /** A container of the model started; `workload` names what it runs as (containers of one image may be different workloads). */
  attach(containerId: string, workload?: string): void {
    if (workload !== undefined) this.workloads.set(containerId, workload);
    this.running.add(containerId);
    if (this.state === 'learning') this.replicas.add(containerId);
  }

  detach(containerId: string): void {
    this.running.delete(containerId);
  }

  /** Moves the learning clock by the time elapsed; true when the model just became active: it converged, or its window is over. */
  advance(elapsedMs: number, now: number): boolean {
    if (this.running.size === 0 || this.state !== 'learning') return false;
    if (this.clock.pass(elapsedMs)) this.clock.by = 'window';
    else if (this.options.converge !== false && this.clock.waiting(this.overflow, this.options.converge).length === 0) this.clock.by = 'convergence';
    else return false;
    this.activate(now);
    return true;
  }

  /**
   * Ends learning: behaviour of one replica among several (at least
   * `consensusReplicas` containers of one workload) is kept apart, the rest
   * is the model. Containers of the image that are other workloads (one
   * image, other commands) are not replicas of each other: what only one of
   * them did is its own behaviour.
   */
  activate(now: number): void {
    this.state = 'active';
    this.clock.activeAt = now;
    const replicasOf = new Map<string, number>();
    // containers given no workload are taken as replicas of one
    const workloadOf = (c: string) => this.workloads.get(c) ?? '';
    for (const c of this.replicas) replicasOf.set(workloadOf(c), (replicasOf.get(workloadOf(c)) ?? 0) + 1);
    if (![...replicasOf.values()].some((n) => n >= this.options.consensusReplicas)) return;
    for (const [dimension, entries] of this.observed) {
      for (const [entry, seen] of entries) {
        // a syscall a family member brought goes with that member
        if (seen.containers.size !== 1 || seen.count === 0 || this.staticEntries.get(dimension)!.has(entry)) continue;
        const container = [...seen.containers][0]!;
        if ((replicasOf.get(workloadOf(container)) ?? 0) < this.options.consensusReplicas) continue;
        this.outliers.push({ dimension, entry, container, count: seen.count });
        entries.delete(entry);
        this.allowed(dimension).delete(entry);
        if (dimension === 'processes') this.lineage.forget(entry);
      }
    }
    for (const [syscall, by] of this.implied) {
      if (this.syscalls.has(by)) continue;
      this.implied.delete(syscall);
      this.observed.get('syscalls')!.delete(syscall);
      this.syscalls.delete(syscall);
    }
  }

  /** How safe each dimension is to enforce (see LearningClock). */
  completeness(): Record<ModelDimension, number> {
    return this.clock.completeness(this.overflow);
  }

  /** Learns again from the static model, from now. */
  relearn(now: number): void {
    for (const entries of this.observed.values()) entries.clear();
    this.allowStaticEntries();
    this.overflow.clear();
    this.outliers = [];
    this.lineage.clear();
    this.implied.clear();
    this.replicas = new Set(this.running);
    this.startsSeen = 0;
    this.clock.restart(now);
    this.state = this.clock.windowSec > 0 ? 'learning' : 'active';
  }

  /** A container of the model started while the syscall sensor watched: its start-up calls are in the model (counted while learning). */
  sawStart(): void {
    if (this.state === 'learning') this.startsSeen++;
  }

  /** Learns for `seconds` more (an active model goes back to learning). */
  extend(seconds: number): void {
    this.clock.extend(seconds);
    if (this.state === 'active') {
      this.state = 'learning';
      this.clock.activeAt = undefined;
      this.clock.by = undefined;
      for (const c of this.running) this.replicas.add(c);
    }
  }

  /** Checks one event against the model: learns it while learning, reports it as a deviation once active. */
  observe(event: RuntimeEvent, containerId: string, now: number): Verdict {
    // the hot path: no allocation for an event the model allows. An active model (nothing to count) looks a syscall,
    // a peer, a DNS name, a write under its few folder patterns and a program up in the indexes all models share;
    // its own lists are read only for what they alone hold (exact paths, other patterns, generalised entries)
    if (this.current === 'active') {
      const kind = event.kind;
      if (this.indexes.allow(event, kind, this.slot)) return KNOWN;
      if (kind === 'exec') {
        // a program the model has by its path: only its parent is left to judge
        const path = event.process?.path;
        if (path !== undefined && this.indexes.programs.holds(path, this.slot)) return this.lineage.judge(path, event);
      }
    }
    const dimension = dimensionOf(event);
    if (dimension === undefined) return IGNORED;
    const text = entryText(event, dimension);
    if (text === undefined) return IGNORED;
    const allowed = this.allowed(dimension);
    // a path under an allowed folder needs no generalising first (most writes of temp files)
    let key = allowed.has(text) ? text : allowed.cover(text);
    const entry = key !== undefined ? text : normalise(dimension, text);
    if (key === undefined && entry !== text) key = allowed.has(entry) ? entry : allowed.cover(entry);
    if (key === undefined && dimension === 'egress') key = this.otherPeer(event);
    if (key !== undefined) {
      if (this.state === 'learning') this.touch(dimension, key, containerId, now, event);
      else if (dimension === 'processes') return this.lineage.judge(key, event);
      return KNOWN;
    }
    if (this.state === 'active') return this.overflow.has(dimension) ? KNOWN : { outcome: 'deviation', dimension, entry };
    if (this.overflow.has(dimension)) return KNOWN;
    const learnedAs = this.learn(dimension, entry, containerId, now, event);
    return { outcome: 'learned', dimension, entry: learnedAs };
  }

  /** The entries a dimension allows now (static and learned, patterns included). */
  entries(dimension: ModelDimension): string[] {
    return this.allowed(dimension).values();
  }

  /**
   * An event outside an active model taken into it (the `learn` mode): its
   * entry is learned as if the model still learned. Returns the entry as learned.
   */
  accept(event: RuntimeEvent, containerId: string, now: number): string | undefined {
    const dimension = dimensionOf(event);
    const text = dimension === undefined ? undefined : entryText(event, dimension);
    if (dimension === undefined || text === undefined) return undefined;
    if (this.allows(dimension, text) || (dimension === 'egress' && this.otherPeer(event) !== undefined)) {
      // an allowed program from a new parent: the parent is learned
      if (dimension === 'processes') {
        const list = this.allowed(dimension);
        this.lineage.accept(list.has(text) ? text : list.cover(text) ?? normalise(dimension, text), event);
      }
      return undefined;
    }
    return this.learn(dimension, normalise(dimension, text), containerId, now, event);
  }

  /** Whether the model allows an entry of a dimension (a program's path, a port…), as detection would judge it. */
  allows(dimension: ModelDimension, text: string): boolean {
    if (dimension === 'processes' && this.indexes.programs.holds(text, this.slot)) return true;
    const allowed = this.allowed(dimension);
    if (allowed.has(text) || allowed.cover(text) !== undefined) return true;
    const entry = normalise(dimension, text);
    return entry !== text && (allowed.has(entry) || allowed.cover(entry) !== undefined);
  }

  /** The entry a connection to a named peer is allowed by besides its name's: a shorter form of the name (as declared), or its address (as learned before it had a name). */
  private otherPeer(event: RuntimeEvent): string | undefined {
    for (const entry of otherPeerEntries(event)) if (this.egress.has(entry)) return entry;
    return undefined;
  }

  /** Counts a sighting on the entry that allowed it (a static one is thereby seen as well as declared). */
  private touch(dimension: ModelDimension, key: string, containerId: string, now: number, event: RuntimeEvent): void {
    const entries = this.observed.get(dimension)!;
    let seen = entries.get(key);
    if (seen === undefined) {
      seen = { firstSeen: now, lastSeen: now, count: 0, containers: new Set() };
      entries.set(key, seen);
    } else if (seen.count === 0) {
      this.implied.delete(key); // brought by its family, seen now itself
    } else if (now > seen.lastSeen) {
      this.clock.sawAgain(dimension, now - seen.lastSeen);
    }
    this.clock.events++;
    seen.lastSeen = now;
    seen.count++;
    seen.containers.add(containerId);
    if (dimension === 'processes') this.sawProcess(key, seen, event);
  }

  private sawProcess(key: string, seen: Observed, event: RuntimeEvent): void {
    mergeArgv(seen, event.process?.argv);
    this.lineage.learn(key, event);
  }

  private learn(dimension: ModelDimension, entry: string, containerId: string, now: number, event: RuntimeEvent): string {
    this.clock.learnedNew(dimension);
    this.clock.events++;
    const entries = this.observed.get(dimension)!;
    const seen: Observed = { firstSeen: now, lastSeen: now, count: 1, containers: new Set([containerId]) };
    if (dimension === 'processes') this.sawProcess(entry, seen, event);
    entries.set(entry, seen);
    const allowed = this.allowed(dimension);
    allowed.add(entry);
    // a syscall brings its family (epoll_wait: epoll_ctl, epoll_pwait…), learned with it, never seen on its own
    if (dimension === 'syscalls') {
      for (const other of familyOf(entry)) {
        if (allowed.has(other)) continue;
        allowed.add(other);
        entries.set(other, { firstSeen: now, lastSeen: now, count: 0, containers: new Set([containerId]) });
        this.implied.set(other, entry);
      }
    }
    const collapsed = collapse(dimension, entry, entries, this.staticEntries.get(dimension)!, allowed, this.options);
    if (entries.size - this.staticEntries.get(dimension)!.size > this.options.maxEntries) this.overflow.add(dimension);
    return collapsed;
  }

  /** The model as it stands: the static model plus every learned entry with its `learned` source. */
  snapshot(nowIso: (ms: number) => string): IntentModel {
    const model = structuredClone(this.seedModel);
    const clock = this.clock;
    model.state = this.state;
    model.remainingLearningDurationSec = this.state === 'learning' ? clock.remainingSec : 0;
    model.learning = {
      windowSec: clock.windowSec,
      observedSec: Math.floor(clock.observedMs / 1000),
      startedAt: nowIso(clock.startedAt),
      ...(clock.activeAt !== undefined && { activeAt: nowIso(clock.activeAt) }),
      replicas: [...this.replicas],
      ...(this.previous !== undefined && { previous: this.previous }),
      outliers: this.outliers,
      overflow: [...this.overflow],
      ...(this.startsSeen > 0 && { starts: this.startsSeen }),
      completeness: this.completeness(),
      ...(this.options.converge !== false && { convergence: this.clock.convergence(this.overflow, this.options.converge) }),
    };
    const source = (seen: Observed): Source => ({
      kind: 'learned',
      firstSeen: nowIso(seen.firstSeen),
      lastSeen: nowIso(seen.lastSeen),
      count: seen.count,
      containers: [...seen.containers],
    });
    for (const [dimension, entries] of this.observed) {
      for (const [entry, seen] of entries) addLearned(model, dimension, entry, seen, [source(seen)]);
    }
    for (const p of model.processes) {
      const parents = this.lineage.of(p.path);
      if (parents !== undefined) p.parents = parents;
    }
    const syscalls = [...this.observed.get('syscalls')!.values()];
    if (syscalls.length > 0) {
      model.syscalls.sources.push({
        ...source(syscalls.reduce((all, s) => ({
          firstSeen: Math.min(all.firstSeen, s.firstSeen), lastSeen: Math.max(all.lastSeen, s.lastSeen), count: all.count + s.count,
          containers: new Set([...all.containers, ...s.containers]),
        }))),
        detail: `${syscalls.length - this.implied.size} syscalls observed${this.implied.size > 0 ? `, ${this.implied.size} more of their families (${[...this.implied].slice(0, 3).map(([s, by]) => `${by} ⇒ ${s}`).join(', ')}${this.implied.size > 3 ? ', …' : ''})` : ''}`,
      });
    }
    return model;
  }
}
