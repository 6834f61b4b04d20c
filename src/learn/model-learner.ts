import type { IntentModel, Learning, ModelDimension, Protocol, RuntimeEvent, Source } from '../model/index.ts';
import { AllowList } from './allow-list.ts';
import { indexesAllow, PROGRAMS } from './entry-index.ts';
import { SYSCALLS } from './syscall-index.ts';
import { normalisePath, parentDomain, parentOf } from './generalise.ts';

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
}

const DEFAULTS = { collapseAfter: 8, peersPerPort: 16, maxEntries: 256, consensusReplicas: 3 };

/** What an event said about its model. */
export type Verdict =
  | { outcome: 'known' }
  | { outcome: 'learned'; dimension: ModelDimension; entry: string }
  | { outcome: 'deviation'; dimension: ModelDimension; entry: string; parent?: string }
  | { outcome: 'ignored' };

export const KNOWN: Verdict = { outcome: 'known' };
const IGNORED: Verdict = { outcome: 'ignored' };

interface Observed {
  firstSeen: number;
  lastSeen: number;
  count: number;
  containers: Set<string>;
  /** The argv of a process, `*` where runs differed; null once their lengths differed. */
  argv?: string[] | null;
}

const protocolOf = (p: string | undefined): Protocol => (p === 'udp' ? 'udp' : p === 'sctp' ? 'sctp' : 'tcp');

/** The dimension an event is about, or undefined when it is about none (exit, other tools' alerts). */
export function dimensionOf(event: RuntimeEvent): ModelDimension | undefined {
  switch (event.kind) {
    case 'syscall': return 'syscalls';
    case 'exec': return 'processes';
    case 'write': return 'writable';
    case 'open': return 'reads';
    case 'connect': return 'egress';
    case 'listen':
    case 'accept': return 'listen';
    case 'dns': return 'dns';
    case 'capability': return event.denied === true ? undefined : 'capabilities';
    default: return undefined;
  }
}

/** The entry of `dimension` an event names (`tcp/10.0.0.7:6379`, `/tmp/x`, `openat`), before generalisation. */
function entryText(event: RuntimeEvent, dimension: ModelDimension): string | undefined {
  switch (dimension) {
    case 'syscalls': return event.syscall;
    case 'processes': return event.process?.path ?? event.process?.name;
    case 'writable':
    case 'reads': return event.file?.path;
    case 'egress': {
      const n = event.network;
      return n?.remoteAddress === undefined || n.remotePort === undefined ? undefined : `${protocolOf(n.protocol)}/${n.remoteAddress}:${n.remotePort}`;
    }
    case 'listen': {
      const port = event.network?.localPort;
      return port === undefined ? undefined : `${protocolOf(event.network?.protocol)}/${port}`;
    }
    case 'dns': {
      const name = event.dns?.names[0];
      return name === undefined ? undefined : dnsName(name);
    }
    case 'capabilities': return event.capability;
  }
}

/** A DNS name as models keep it: lower case, without the root's dot (most names already are). */
function dnsName(name: string): string {
  let upper = false;
  for (let i = 0; i < name.length && !upper; i++) upper = name.charCodeAt(i) >= 65 && name.charCodeAt(i) <= 90;
  const lower = upper ? name.toLowerCase() : name;
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** Paths are generalised (`/proc/42/status` becomes `/proc/` + `*` + `/status`); other entries are kept as they are. */
function normalise(dimension: ModelDimension, text: string): string {
  return dimension === 'writable' || dimension === 'processes' || dimension === 'reads' ? normalisePath(text) : text;
}

/** The dimension and entry an event is about, or undefined when it is about none. */
export function entryOf(event: RuntimeEvent): { dimension: ModelDimension; entry: string } | undefined {
  const dimension = dimensionOf(event);
  const entry = dimension === undefined ? undefined : entryText(event, dimension);
  return entry === undefined ? undefined : { dimension: dimension!, entry };
}

const DIMENSIONS = ['processes', 'listen', 'egress', 'dns', 'writable', 'reads', 'syscalls', 'capabilities'] as const satisfies readonly ModelDimension[];

/** The entries a static model already allows, by dimension, with the sources that allow them. */
function seedEntries(model: IntentModel): Map<ModelDimension, Map<string, Source[]>> {
  const seed = new Map<ModelDimension, Map<string, Source[]>>(DIMENSIONS.map((d) => [d, new Map()]));
  const put = (dimension: ModelDimension, entry: string, sources: Source[]) => {
    const map = seed.get(dimension)!;
    map.set(entry, [...(map.get(entry) ?? []), ...sources]);
  };
  for (const p of model.processes) put('processes', p.path, p.sources);
  for (const l of model.network.listen) {
    for (let port = l.port; port <= (l.endPort ?? l.port); port++) put('listen', `${l.protocol}/${port}`, l.sources);
  }
  for (const e of model.network.egress) put('egress', `${e.protocol}/${e.host}:${e.port}`, e.sources);
  for (const d of model.network.dns) put('dns', d.name, d.sources);
  // a declared writable path is a folder: everything below it is writable too
  for (const w of model.filesystem.writable) put('writable', w.path.endsWith('/*') || !w.path.startsWith('/') ? w.path : `${w.path.replace(/\/$/, '')}/*`, w.sources);
  for (const m of model.filesystem.mounts) if (!m.readOnly) put('writable', `${m.path.replace(/\/$/, '')}/*`, m.sources);
  for (const r of model.filesystem.reads ?? []) put('reads', r.path, r.sources);
  for (const s of model.syscalls.allow) put('syscalls', s, model.syscalls.sources);
  for (const c of model.capabilities.used ?? []) put('capabilities', c.name, c.sources);
  for (const c of model.capabilities.add) put('capabilities', c.startsWith('CAP_') ? c : `CAP_${c}`, model.capabilities.sources);
  return seed;
}

/**
 * One model being learned and enforced: the static model it started from,
 * what was observed for it (generalised, bounded), its learning clock and its
 * replicas. Pure: time comes in as milliseconds, nothing is read or written.
 */
export class ModelLearner {
  // the fields the hot path reads come first: they share the object's first cache line
  private current: 'learning' | 'active' = 'learning';
  /** The model's slot in the syscall index and the shared indexes (its syscall, program, DNS, egress and writable lists'). */
  readonly slot: number = SYSCALLS.allocate(this);
  /** The programs seen starting each process entry, by name; none until one is (most models never learn parents). */
  private parents: Map<string, Set<string>> | undefined;
  // everything allowed (seeded or learned): a field per dimension
  private readonly writable = new AllowList('writable', [], this.slot);
  private readonly dns = new AllowList('dns', [], this.slot);
  private readonly egress = new AllowList('egress', [], this.slot);
  private readonly processes = new AllowList('processes', [], this.slot);
  private readonly listen = new AllowList('listen');
  private readonly reads = new AllowList('reads');
  private readonly syscalls = new AllowList('syscalls', [], this.slot);
  private readonly capabilities = new AllowList('capabilities');
  readonly id: string;
  readonly options: Required<LearnOptions>;
  private seedModel: IntentModel;
  /** The entries the static model allows, with their sources. */
  private staticEntries: Map<ModelDimension, Map<string, Source[]>>;
  private hasSeed: boolean;
  private observed = new Map<ModelDimension, Map<string, Observed>>();
  private overflow = new Set<ModelDimension>();
  /** The learning clock when each dimension last learned something new. */
  private lastNew = new Map<ModelDimension, number>();
  private outliers: Learning['outliers'] = [];
  private replicas = new Set<string>();
  readonly running = new Set<string>();
  observedMs = 0;
  /** Container starts the syscall sensor watched from their first call, while learning. */
  private startsSeen = 0;
  private startedAt: number;
  private activeAt: number | undefined;
  private previous: string | undefined;

  constructor(seedModel: IntentModel, options: LearnOptions, now: number, carried?: { from: string; model: IntentModel }, seeded = true) {
    this.hasSeed = seeded;
    this.id = seedModel.id;
    this.options = { ...DEFAULTS, ...options };
    this.seedModel = seedModel;
    this.staticEntries = seedEntries(seedModel);
    this.startedAt = now;
    this.state = this.options.windowSec > 0 ? 'learning' : 'active';
    if (this.state === 'active') this.activeAt = now;
    this.allowStaticEntries();
    for (const dimension of DIMENSIONS) this.observed.set(dimension, new Map());
    if (carried !== undefined) this.carry(carried.from, carried.model, now);
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

  /** The state; an active model's syscall list is enforced in the syscall index, where the learner answers syscalls without the model. */
  set state(state: 'learning' | 'active') {
    this.current = state;
    SYSCALLS.enforce(this.slot, state === 'active');
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
    for (const p of model.processes) if (p.parents !== undefined) (this.parents ??= new Map()).set(p.path, new Set([...(this.parents.get(p.path) ?? []), ...p.parents]));
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
  static restore(model: IntentModel, options: LearnOptions, now: number): ModelLearner {
    const learning = model.learning;
    const learner = new ModelLearner(withoutLearned(model), { ...options, ...(learning !== undefined && { windowSec: learning.windowSec }) }, now);
    learner.carry(learning?.previous, model, now);
    if (learning !== undefined) {
      learner.observedMs = learning.observedSec * 1000;
      learner.startedAt = Date.parse(learning.startedAt) || now;
      learner.replicas = new Set(learning.replicas);
      learner.outliers = learning.outliers;
      learner.overflow = new Set(learning.overflow);
      learner.startsSeen = learning.starts ?? 0;
    }
    learner.state = model.state === 'learning' ? 'learning' : 'active';
    learner.activeAt = learner.state === 'active' ? Date.parse(learning?.activeAt ?? '') || now : undefined;
    return learner;
  }

  get remainingSec(): number {
    return Math.max(0, Math.ceil(this.options.windowSec - this.observedMs / 1000));
  }

  attach(containerId: string): void {
    this.running.add(containerId);
    if (this.state === 'learning') this.replicas.add(containerId);
  }

  detach(containerId: string): void {
    this.running.delete(containerId);
  }

  /** Moves the learning clock by the time elapsed; true when the model just became active. */
  advance(elapsedMs: number, now: number): boolean {
    if (this.running.size === 0 || this.state !== 'learning') return false;
    this.observedMs += elapsedMs;
    if (this.observedMs < this.options.windowSec * 1000) return false;
    this.activate(now);
    return true;
  }

  /** Ends learning: behaviour of one replica among several is kept apart, the rest is the model. */
  activate(now: number): void {
    this.state = 'active';
    this.activeAt = now;
    if (this.replicas.size < this.options.consensusReplicas) return;
    for (const [dimension, entries] of this.observed) {
      for (const [entry, seen] of entries) {
        if (seen.containers.size !== 1 || this.staticEntries.get(dimension)!.has(entry)) continue;
        this.outliers.push({ dimension, entry, container: [...seen.containers][0]!, count: seen.count });
        entries.delete(entry);
        this.allowed(dimension).delete(entry);
        if (dimension === 'processes') this.parents?.delete(entry);
      }
    }
  }

  /**
   * How safe each dimension is to enforce: the share of the last half of the
   * window (in observed time) during which it learned nothing new; 0 for a
   * dimension that overflowed.
   */
  completeness(): Record<ModelDimension, number> {
    const half = Math.max(1, (this.options.windowSec * 1000) / 2);
    const score = (d: ModelDimension) => (this.overflow.has(d) ? 0 : Math.min(1, Math.max(0, (this.observedMs - (this.lastNew.get(d) ?? 0)) / half)));
    return Object.fromEntries(['processes', 'listen', 'egress', 'dns', 'writable', 'reads', 'syscalls', 'capabilities']
      .map((d) => [d, Math.round(score(d as ModelDimension) * 100) / 100])) as Record<ModelDimension, number>;
  }

  /** Learns again from the static model, from now. */
  relearn(now: number): void {
    for (const entries of this.observed.values()) entries.clear();
    this.allowStaticEntries();
    this.overflow.clear();
    this.lastNew.clear();
    this.outliers = [];
    this.parents = undefined;
    this.replicas = new Set(this.running);
    this.observedMs = 0;
    this.startsSeen = 0;
    this.startedAt = now;
    this.activeAt = undefined;
    this.state = this.options.windowSec > 0 ? 'learning' : 'active';
  }

  /** A container of the model started while the syscall sensor watched: its start-up calls are in the model (counted while learning). */
  sawStart(): void {
    if (this.state === 'learning') this.startsSeen++;
  }

  /** Learns for `seconds` more (an active model goes back to learning). */
  extend(seconds: number): void {
    this.options.windowSec = this.observedMs / 1000 + Math.max(this.remainingSec, 0) + seconds;
    if (this.state === 'active') {
      this.state = 'learning';
      this.activeAt = undefined;
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
      if (indexesAllow(event, kind, this.slot)) return KNOWN;
      if (kind === 'exec') {
        // a program the model has by its path: only its parent is left to judge
        const path = event.process?.path;
        if (path !== undefined && PROGRAMS.holds(path, this.slot)) return this.judgeParent(path, event);
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
    if (key !== undefined) {
      if (this.state === 'learning') this.touch(dimension, key, containerId, now, event);
      else if (dimension === 'processes') return this.judgeParent(key, event);
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
    if (this.allows(dimension, text)) {
      // an allowed program from a new parent: the parent is learned
      const list = this.allowed(dimension);
      const key = dimension !== 'processes' ? undefined : list.has(text) ? text : list.cover(text) ?? normalise(dimension, text);
      const parent = parentName(event);
      if (key !== undefined && parent !== undefined) this.parents?.get(key)?.add(parent);
      return undefined;
    }
    return this.learn(dimension, normalise(dimension, text), containerId, now, event);
  }

  /** An allowed program started by a parent its model never saw start it: a deviation (when parents were learned at all). */
  private judgeParent(key: string, event: RuntimeEvent): Verdict {
    const parents = this.parents?.get(key);
    const parent = parentName(event);
    if (parents === undefined || parent === undefined || parents.has(parent) || parents.has('*')) return KNOWN;
    return { outcome: 'deviation', dimension: 'processes', entry: key, parent };
  }

  /** Whether the model allows an entry of a dimension (a program's path, a port…), as detection would judge it. */
  allows(dimension: ModelDimension, text: string): boolean {
    if (dimension === 'processes' && PROGRAMS.holds(text, this.slot)) return true;
    const allowed = this.allowed(dimension);
    if (allowed.has(text) || allowed.cover(text) !== undefined) return true;
    const entry = normalise(dimension, text);
    return entry !== text && (allowed.has(entry) || allowed.cover(entry) !== undefined);
  }

  /** Counts a sighting on the entry that allowed it (a static one is thereby seen as well as declared). */
  private touch(dimension: ModelDimension, key: string, containerId: string, now: number, event: RuntimeEvent): void {
    const entries = this.observed.get(dimension)!;
    let seen = entries.get(key);
    if (seen === undefined) {
      seen = { firstSeen: now, lastSeen: now, count: 0, containers: new Set() };
      entries.set(key, seen);
    }
    seen.lastSeen = now;
    seen.count++;
    seen.containers.add(containerId);
    if (dimension === 'processes') this.sawProcess(key, seen, event);
  }

  private sawProcess(key: string, seen: Observed, event: RuntimeEvent): void {
    mergeArgv(seen, event.process?.argv);
    const parent = parentName(event);
    if (parent === undefined) return;
    let parents = this.parents?.get(key);
    if (parents === undefined) (this.parents ??= new Map()).set(key, (parents = new Set()));
    parents.add(parents.size < MAX_PARENTS ? parent : '*');
  }

  private learn(dimension: ModelDimension, entry: string, containerId: string, now: number, event: RuntimeEvent): string {
    this.lastNew.set(dimension, this.observedMs);
    const entries = this.observed.get(dimension)!;
    const seen: Observed = { firstSeen: now, lastSeen: now, count: 1, containers: new Set([containerId]) };
    if (dimension === 'processes') this.sawProcess(entry, seen, event);
    entries.set(entry, seen);
    this.allowed(dimension).add(entry);
    const collapsed = this.collapse(dimension, entry);
    if (entries.size - this.staticEntries.get(dimension)!.size > this.options.maxEntries) this.overflow.add(dimension);
    return collapsed;
  }

  /** Folds siblings into one pattern once there are too many of them; returns the entry's pattern. */
  private collapse(dimension: ModelDimension, entry: string): string {
    let group: string | undefined;
    let members: (e: string) => boolean;
    let limit = this.options.collapseAfter;
    if (dimension === 'writable' || dimension === 'reads') {
      const dir = parentOf(entry);
      if (dir === undefined) return entry;
      group = `${dir}/*`;
      members = (e) => e !== group && e.startsWith(`${dir}/`);
    } else if (dimension === 'egress') {
      const protocol = entry.slice(0, entry.indexOf('/'));
      const port = entry.slice(entry.lastIndexOf(':') + 1);
      group = `${protocol}/*:${port}`;
      members = (e) => e !== group && e.startsWith(`${protocol}/`) && e.endsWith(`:${port}`);
      limit = this.options.peersPerPort;
    } else if (dimension === 'dns') {
      const parent = parentDomain(entry);
      if (parent === undefined) return entry;
      group = `*.${parent}`;
      members = (e) => e !== group && e.endsWith(`.${parent}`);
      limit = this.options.peersPerPort;
    } else {
      return entry;
    }
    const entries = this.observed.get(dimension)!;
    const declared = this.staticEntries.get(dimension)!;
    const siblings = [...entries.keys()].filter((e) => members(e) && !declared.has(e));
    if (siblings.length <= limit) return entry;
    const merged: Observed = entries.get(group) ?? { firstSeen: Infinity, lastSeen: 0, count: 0, containers: new Set() };
    const allowed = this.allowed(dimension);
    for (const sibling of siblings) {
      const seen = entries.get(sibling)!;
      merged.firstSeen = Math.min(merged.firstSeen, seen.firstSeen);
      merged.lastSeen = Math.max(merged.lastSeen, seen.lastSeen);
      merged.count += seen.count;
      for (const c of seen.containers) merged.containers.add(c);
      entries.delete(sibling);
      allowed.delete(sibling);
    }
    entries.set(group, merged);
    allowed.add(group);
    return group;
  }

  /** The model as it stands: the static model plus every learned entry with its `learned` source. */
  snapshot(nowIso: (ms: number) => string): IntentModel {
    const model = structuredClone(this.seedModel);
    model.state = this.state;
    model.remainingLearningDurationSec = this.state === 'learning' ? this.remainingSec : 0;
    model.learning = {
      windowSec: this.options.windowSec,
      observedSec: Math.floor(this.observedMs / 1000),
      startedAt: nowIso(this.startedAt),
      ...(this.activeAt !== undefined && { activeAt: nowIso(this.activeAt) }),
      replicas: [...this.replicas],
      ...(this.previous !== undefined && { previous: this.previous }),
      outliers: this.outliers,
      overflow: [...this.overflow],
      ...(this.startsSeen > 0 && { starts: this.startsSeen }),
      completeness: this.completeness(),
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
      const parents = this.parents?.get(p.path);
      if (parents !== undefined) p.parents = [...parents].sort();
    }
    const syscalls = [...this.observed.get('syscalls')!.values()];
    if (syscalls.length > 0) {
      model.syscalls.sources.push({
        ...source(syscalls.reduce((all, s) => ({
          firstSeen: Math.min(all.firstSeen, s.firstSeen), lastSeen: Math.max(all.lastSeen, s.lastSeen), count: all.count + s.count,
          containers: new Set([...all.containers, ...s.containers]),
        }))),
        detail: `${syscalls.length} syscalls observed`,
      });
    }
    return model;
  }
}

/** A model with its learned entries (and learned sources) taken out: what it was allowed before it learned. */
function withoutLearned(model: IntentModel): IntentModel {
  const out = structuredClone(model);
  const keep = <T extends { sources: Source[] }>(list: T[]) => list.flatMap((e) => {
    const sources = e.sources.filter((s) => s.kind !== 'learned');
    return sources.length === 0 ? [] : [{ ...e, sources }];
  });
  out.processes = keep(out.processes).map(({ parents: _learned, ...p }) => p);
  out.network = { listen: keep(out.network.listen), egress: keep(out.network.egress), dns: keep(out.network.dns) };
  out.filesystem.writable = keep(out.filesystem.writable);
  if (out.filesystem.reads !== undefined) out.filesystem.reads = keep(out.filesystem.reads);
  if (out.capabilities.used !== undefined) out.capabilities.used = keep(out.capabilities.used);
  out.syscalls.sources = out.syscalls.sources.filter((s) => s.kind !== 'learned');
  delete out.learning;
  delete out.remainingLearningDurationSec;
  out.state = 'static';
  return out;
}

/** Parents kept per program, at most: a program started by more is started by anything (`*`). */
const MAX_PARENTS = 16;

/** The name of the program that started an event's process (`nginx`, `containerd-shim`), when the sensor knew it. */
function parentName(event: RuntimeEvent): string | undefined {
  const parent = event.process?.parent;
  const name = parent?.path ?? parent?.name;
  return name === undefined || name === '' ? undefined : name.slice(name.lastIndexOf('/') + 1);
}

function mergeArgv(seen: Observed, argv: string[] | undefined): void {
  if (argv === undefined || seen.argv === null) return;
  if (seen.argv === undefined) {
    seen.argv = [...argv];
  } else if (seen.argv.length !== argv.length) {
    seen.argv = null;
  } else {
    for (let i = 0; i < argv.length; i++) if (seen.argv[i] !== argv[i]) seen.argv[i] = '*';
  }
}

/** Adds a learned entry to a model, or its learned source to the entry the model already has. */
function addLearned(model: IntentModel, dimension: ModelDimension, entry: string, seen: Observed, sources: Source[]): void {
  const withSources = <T extends { sources: Source[] }>(list: T[], match: (e: T) => boolean, make: () => T) => {
    const existing = list.find(match);
    if (existing !== undefined) existing.sources.push(...sources);
    else list.push(make());
  };
  switch (dimension) {
    case 'processes':
      withSources(model.processes, (p) => p.path === entry, () => ({
        path: entry, ...(seen.argv !== undefined && seen.argv !== null && { argv: seen.argv }), sources,
      }));
      break;
    case 'listen': {
      const [protocol, port] = entry.split('/') as [Protocol, string];
      withSources(model.network.listen, (l) => l.protocol === protocol && l.port === Number(port), () => ({ port: Number(port), protocol, sources }));
      break;
    }
    case 'egress': {
      const protocol = entry.slice(0, entry.indexOf('/')) as Protocol;
      const host = entry.slice(entry.indexOf('/') + 1, entry.lastIndexOf(':'));
      const port = Number(entry.slice(entry.lastIndexOf(':') + 1));
      withSources(model.network.egress, (e) => e.protocol === protocol && e.host === host && e.port === port, () => ({ host, port, protocol, sources }));
      break;
    }
    case 'dns':
      withSources(model.network.dns, (d) => d.name === entry, () => ({ name: entry, sources }));
      break;
    case 'writable':
      withSources(model.filesystem.writable, (w) => w.path === entry, () => ({ path: entry, sources }));
      break;
    case 'reads':
      withSources(model.filesystem.reads ??= [], (r) => r.path === entry, () => ({ path: entry, sources }));
      break;
    case 'syscalls':
      if (!model.syscalls.allow.includes(entry)) model.syscalls.allow.push(entry);
      break;
    case 'capabilities':
      withSources(model.capabilities.used ??= [], (c) => c.name === entry, () => ({ name: entry, sources }));
      break;
  }
}
