/**
 * The defender on one host, as orchestration only: its seams are passed in
 * (where containers come from, where events come from, what enforces, what
 * the host says, the store, the clock), its start is an ordered list of
 * steps, its work a tick. What an event means is the judge's (src/detect);
 * turning records into events is the sensor's; acting is the enforcers'.
 * One file: the steps, the event path and the tick share the state they
 * orchestrate, and read best together.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AlertGate, IncidentBuilder, judge, KnownBad, deviationAudit, type Decision, type DriftReason, type JudgeContext, type Subject } from '../detect/index.ts';
import { modesOf, STOPPED, type Action, type Enforcers, type ModeTarget } from '../enforce/index.ts';
import { parseImage } from '../intent/index.ts';
import { iso, Learner, type ModelLearner } from '../learn/index.ts';
import type { Audit, IntentModel, Mode, ModelDimension, ModeSetting, RuntimeEvent } from '../model/index.ts';
import { systemClock, workloadOf, type Clock, type ContainerChange, type ContainerInfo, type ContainerSource, type Host, type Timer } from '../runtime/index.ts';
import { eventContainer, processPart, type EventSink, type EventSource, type KnownProcess, type SensorRecord, type SyscallWatch } from '../sensor/index.ts';
import type { DefenderStore, StoredContainer } from '../store/index.ts';
import { FlowGraph } from '../supermodel/index.ts';
import { ImageReader, type ImageRead } from './images.ts';
import { IntelFeeds } from './intel.ts';
import { Reconciler } from './reconcile.ts';
import { NO_COUNTS, type DefenderCounts, type DefenderStatus } from './status.ts';
import { Steps, type Step } from './steps.ts';
import { Containers, tracked, type Tracked, type TrackedSubject } from './tracking.ts';
import { StoreWriter } from './writer.ts';

export interface DefenderOptions {
  store: DefenderStore;
  /** The learning window of new models, in seconds of observed time. */
  learnForSec: number;
  /** Where containers come from (the Docker engine, a CRI runtime, memory). */
  containers: ContainerSource;
  /** The kernel's events (bpftrace, a replay): started before any container is looked for. */
  sensors: readonly EventSource[];
  /** Other tools' streams (Falco, Tetragon, Tracee): followed once the containers are known. */
  streams?: readonly EventSource[];
  enforcers: Enforcers;
  /** What the defender reads of the host (/proc). */
  host: Host;
  clock?: Clock;
  /** Read each container's image for its static model and inventory (default true). */
  analyseImages?: boolean;
  /** Images read at once, at most (default 2). */
  imageConcurrency?: number;
  /** Registries (`HOST[:PORT]`) asked for the intent manifest of the images of theirs that containers run: their starting model. */
  intentRegistries?: readonly string[];
  /**
   * Once no model learns, syscalls are watched in samples: `windowMs` every
   * `periodMs`; undefined to watch them all the time. A probe on every
   * syscall is the sensor's largest cost (bench/sensor-overhead).
   */
  syscallSample?: { windowMs: number; periodMs: number };
  /**
   * Which events are written to the store: `novel` (the default) those that
   * told something — a model or a graph learned from them, or they were
   * judged (an audit, a known-bad flag) — the others, which the models
   * already hold, only counted; `all` every one (what the store writes bounds
   * the events a second the defender takes: bench/pipeline).
   */
  events?: 'novel' | 'all';
  onLog?: (line: string) => void;
  onAudit?: (audit: Audit) => void;
  /** Ids of audits and incidents (default: random UUIDs). */
  newId?: () => string;
}

/** A DNS name asked this shortly before a connection is taken as the name of its peer. */
const DNS_BEFORE_CONNECT_MS = 5_000;
/** How long the syscall sensor keeps watching after the last learning container stopped: a restart is seen from its first call. */
const RESTART_GRACE_MS = 60_000;
/** How long an exec's audit waits for the guard's kill (or a kill for its exec) before it goes out alone. */
const PREVENT_MATCH_MS = 1_000;
/** How often the learning clock of models, the graphs, the feeds and the status are written or read. */
const CLOCK_WRITE_MS = 1_000;
const TICK_MS = 250;

/** What each action adds to its audit's message. */
const SAID: Readonly<Record<string, string>> = { 'process-killed': 'killed before it ran', 'connection-dropped': 'dropped', 'write-refused': 'refused' };
const KILLED: Action = { taken: 'process-killed', detail: 'the exec guard killed it at exec, before its first instruction; the container lives on' };

const withAction = (audit: Audit, action: Action): Audit => ({ ...audit, message: `${audit.message}; ${SAID[action.taken] ?? action.taken}`, action });

/**
 * The defender on one host: containers from its container source, events
 * from its sensors and streams, one learned model per image, what each event
 * means decided by the judge, the decisions enforced, everything written to
 * the store.
 */
export class Defender {
  readonly counts: DefenderCounts = { ...NO_COUNTS };
  readonly learner: Learner;
  /** Suppressions and the rate limit per rule and container. */
  readonly gate = new AlertGate();
  private readonly options: DefenderOptions;
  private readonly clock: Clock;
  private readonly host: Host;
  private readonly store: DefenderStore;
  private readonly containers = new Containers();
  private readonly writer: StoreWriter;
  private readonly images: ImageReader;
  private readonly intel: IntelFeeds;
  private readonly reconciler: Reconciler;
  private readonly steps: Steps;
  /** Images read this run (or kept in the store), by image id: a new container of one starts from it. */
  private readonly imagesRead = new Map<string, ImageRead>();
  /** The applications' graphs, learned from the connections their containers make. */
  private readonly flows = new FlowGraph();
  private readonly incidents: IncidentBuilder;
  private readonly knownBad = new KnownBad();
  private readonly judging: JudgeContext;
  private readonly newId: () => string;
  private readonly startedAt: string;
  /** Where events are delivered: the sources', and the exec guard's kills. */
  readonly sink: EventSink = { record: (r, at) => this.record(r, at ?? this.clock.now()), event: (e, at) => this.external(e, at ?? this.clock.now()) };
  private syscallWatch: SyscallWatch | undefined;
  private modes: ModeSetting[] = [];
  private follower: { close(): void } | undefined;
  private timer: Timer | undefined;
  private rescan: Timer | undefined;
  private resync: Timer | undefined;
  private ticking: Promise<void> | undefined;
  private stopping = false;
  private running = false;
  /** Images are read from the images step on; a container found before waits for it. */
  private readingImages = false;
  /** The runtime was asked for its containers (the containers step): before, an unknown cgroup is one not asked about yet. */
  private discovered = false;
  private graphChanged = false;
  private lastClockWrite = -Infinity;
  /** When a learning model last had a running container, and when the last syscall sample began. */
  private lastLearning = -Infinity;
  private lastSample = 0;
  private lastIso = { ms: NaN, text: '' };
  /** Exec audits of prevented containers waiting for the guard's kill, and kills waiting for their exec, by cgroup and pid. */
  private readonly held = new Map<string, { audit: Audit; at: number }>();
  private readonly kills = new Map<string, { t: Tracked; pid: number; path: string; at: number }>();
  /** The last failure of each part of the tick, said once until it changes. */
  private readonly failing = new Map<string, string>();

  constructor(options: DefenderOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.host = options.host;
    this.store = options.store;
    this.newId = options.newId ?? (() => randomUUID());
    this.startedAt = iso(this.clock.now());
    this.learner = new Learner({ windowSec: options.learnForSec });
    this.incidents = new IncidentBuilder(this.newId);
    this.writer = new StoreWriter(options.store, (line) => this.log(line));
    this.intel = new IntelFeeds(options.store, (line) => this.log(line));
    this.reconciler = new Reconciler(options.enforcers, (line) => this.log(line));
    this.images = new ImageReader({
      store: options.store, source: options.containers, concurrency: options.imageConcurrency ?? 2, intentRegistries: options.intentRegistries ?? [],
      analyse: options.analyseImages !== false, log: (line) => this.log(line), onError: () => this.counts.imageErrors++,
    });
    this.judging = { knownBad: this.knownBad, intel: this.intel.index, graph: this.flows, now: 0, newId: this.newId };
    this.steps = new Steps(this.startSteps(), (line) => this.log(line), () => this.clock.now());
  }

  private log(line: string): void {
    this.options.onLog?.(line);
  }

  /**
   * The start, in order: the store's models, graphs and policy; the sensors
   * (before anything is looked for, so that nothing is missed); the running
   * containers, tied to their cgroups at once; models seeded from images
   * read before; enforcement taken over from a defender before; images read
   * in the background; other tools' streams; the tick.
   */
  private startSteps(): Step[] {
    const { options } = this;
    return [
      { name: 'store', start: () => this.restore(), stop: () => this.finish() },
      {
        name: 'sensors',
        start: async () => {
          for (const source of options.sensors) {
            await source.start(this.sink);
            this.syscallWatch ??= source.syscalls;
          }
          this.lastSample = this.clock.now();
        },
        stop: () => stopAll(options.sensors),
      },
      { name: 'containers', start: () => this.discover(), stop: async () => this.unfollow() },
      { name: 'models', start: () => this.seedKept() },
      { name: 'enforcement', start: () => this.reconciler.adopt(this.containers.all()), stop: () => this.reconciler.release() },
      { name: 'images', start: async () => this.readImages(), stop: async () => {
        this.readingImages = false;
        await this.images.stop();
      } },
      {
        name: 'streams',
        start: async () => {
          for (const source of options.streams ?? []) await source.start(this.sink);
        },
        stop: () => stopAll(options.streams ?? []),
      },
      {
        name: 'tick',
        start: async () => {
          this.timer = this.clock.every(TICK_MS, () => this.tick());
          await this.tick();
        },
        stop: async () => {
          this.timer?.clear();
          await this.ticking;
        },
      },
    ];
  }

  /** Starts every step in order; a step that fails undoes the ones before it, and the start fails with it. */
  async start(): Promise<void> {
    await this.steps.start();
    this.running = true;
  }

  /** Undoes every step, each one even if another fails; nothing is left behind. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    await this.steps.stop();
  }

  // ---- the store step

  private async restore(): Promise<void> {
    const now = this.clock.now();
    this.learner.restore(await this.store.models(), now);
    // the graphs learned before: their edges stay allowed
    for (const s of await this.store.supermodels()) for (const e of s.edges) if (e.state === 'learned' || e.state === 'both') this.flows.allow(e);
    await this.intel.refresh(now);
    this.judging.intel = this.intel.index;
    this.modes = await this.store.modes();
    this.gate.setSuppressions(await this.store.suppressions());
  }

  /** The last writes (the status says the defender stopped), then the models' slots given back. */
  private async finish(): Promise<void> {
    this.writer.status('defender', this.status());
    await this.writer.flush();
    this.learner.release();
    if (this.writer.pending > 0) throw new Error(`${this.writer.pending} records could not be written: ${this.writer.counts.lastStoreError ?? 'the store did not answer'}`);
  }

  // ---- the containers step

  private async discover(): Promise<void> {
    const source = this.options.containers;
    const running = await source.running();
    await this.storeStopped(new Set(running.map((c) => c.id)));
    for (const info of running) {
      this.track(info);
      this.observeRunning(info.id);
    }
    this.follower = await source.follow((change) => this.change(change), (reason) => this.followEnded(reason));
    this.discovered = true;
    if (this.containers.waiting) this.scheduleRescan();
  }

  private unfollow(): void {
    this.follower?.close();
    this.follower = undefined;
    this.rescan?.clear();
    this.resync?.clear();
  }

  private followEnded(reason: string): void {
    if (this.stopping) return;
    this.log(`containers: ${reason}; following ${this.options.containers.name} again in 1 s`);
    this.resync = this.clock.after(1000, () => this.resynchronise());
  }

  /** Follows the runtime anew after its stream broke: what changed meanwhile is taken up. */
  private async resynchronise(): Promise<void> {
    if (this.stopping) return;
    try {
      this.follower = await this.options.containers.follow((change) => this.change(change), (reason) => this.followEnded(reason));
      const running = await this.options.containers.running();
      const ids = new Set(running.map((c) => c.id));
      for (const t of [...this.containers.running()]) if (!ids.has(t.info.id)) this.gone(t.info.id, false);
      await this.storeStopped(ids);
      for (const info of running) {
        if (this.containers.get(info.id)?.info.running === true) continue;
        this.seedInBackground(this.track(info));
        this.observeRunning(info.id);
      }
    } catch (e) {
      this.log(`containers: ${(e as Error).message}; trying again in 5 s`);
      this.resync = this.clock.after(5000, () => this.resynchronise());
    }
  }

  /** Containers stored as running that are not (stopped or removed while no defender watched) are stored as stopped. */
  private async storeStopped(running: ReadonlySet<string>): Promise<void> {
    const stored = await this.store.containers().catch((e: Error) => {
      this.log(`store: ${e.message}`);
      return [];
    });
    for (const c of stored) if (c.running && !running.has(c.id) && this.containers.get(c.id) === undefined) this.writer.container({ ...c, running: false });
  }

  private change(change: ContainerChange): void {
    if (change.action === 'error') {
      this.log(`container ${change.id.slice(0, 12)}: ${change.message}`);
      return;
    }
    if (change.action !== 'start') {
      this.gone(change.id, change.action === 'destroy');
      return;
    }
    const info = change.container;
    // the syscall sensor saw this start from its first call if it ran, probes attached, before the container started
    const since = this.syscallWatch?.since();
    const t = this.track(info);
    if (t !== undefined && since !== undefined && info.startedAt !== undefined && since < Date.parse(info.startedAt)) t.model.sawStart();
    this.seedInBackground(t);
  }

  private gone(id: string, destroyed: boolean): void {
    const t = this.containers.get(id);
    if (t === undefined) return;
    this.learner.detach(id);
    this.flows.leave(id, this.clock.now());
    this.reconciler.forget(id);
    if (destroyed) {
      this.containers.remove(id);
      this.writer.removeContainer(id);
    } else {
      this.containers.stopped(id);
      this.writer.container(this.stored(t));
    }
  }

  private stored(t: Tracked): StoredContainer {
    const i = t.info;
    return {
      id: i.id, name: i.name, image: i.image, imageId: i.imageId, running: i.running,
      ...(i.imageDigest !== undefined && { imageDigest: i.imageDigest }),
      ...(i.namespace !== undefined && { namespace: i.namespace }),
      ...(i.app !== undefined && { app: i.app }),
      ...(i.service !== undefined && { service: i.service }),
      ...(i.startedAt !== undefined && { startedAt: i.startedAt }),
      model: t.model.id,
    };
  }

  /**
   * Starts following a container: its model from the first event (learning
   * at once, from its image's static model if that was read), its cgroup,
   * and the records the cgroup had waiting.
   */
  private track(info: ContainerInfo): Tracked | undefined {
    if (!info.running) return undefined;
    const now = this.clock.now();
    const read = this.imagesRead.get(info.imageId);
    const model = this.learner.attach(
      { id: info.id, imageId: info.imageId, repository: parseImage(info.image).repository, ...(info.namespace !== undefined && { namespace: info.namespace }) },
      now,
      read?.model === undefined ? undefined : { ...read.model, image: info.image },
    );
    const t = this.containers.get(info.id) ?? tracked(info, model);
    t.info = info;
    t.model = model;
    if (read !== undefined) t.inventory = read.inventory;
    const waiting = this.containers.track(t);
    this.dirty(model);
    const since = info.startedAt !== undefined ? Date.parse(info.startedAt) || now : now;
    const networks = Object.values(info.networks ?? {});
    this.flows.addEndpoint({
      container: info.id, ...workloadOf(info), model: model.id, addresses: networks.map((n) => ({ address: n.address, from: since })),
      ...(info.published !== undefined && { published: info.published }),
    });
    for (const n of networks) if (n.gateway !== undefined) this.flows.addHost(n.gateway);
    this.graphChanged = true;
    this.writer.container(this.stored(t));
    this.log(`container ${info.name} (${info.image}): model ${model.id} ${model.state}`);
    for (const { record, at } of waiting) this.record(record, at);
    return t;
  }

  /**
   * A container that was running before the defender saw it start: its
   * processes and listening sockets, read from /proc, are observed now, so its
   * model does not wait for them to happen again.
   */
  private observeRunning(id: string): void {
    const t = this.containers.get(id);
    if (t === undefined) return;
    const now = this.clock.now();
    const time = iso(now);
    const container = eventContainer(t.info);
    for (const pid of this.host.pids(t.info.pid)) {
      const process = this.host.process(pid);
      if (process.path === undefined || process.runtime === true) continue;
      t.processes.add(process);
      this.ingest(t, { kind: 'exec', time, source: 'tenet', container, process: processPart(process) }, now);
    }
    for (const socket of this.host.listening(t.info.pid)) {
      this.ingest(t, {
        kind: 'listen', time, source: 'tenet', container, process: { pid: t.info.pid },
        network: { protocol: socket.protocol, localAddress: socket.address, localPort: socket.port },
      }, now);
    }
  }

  // ---- the models and images steps

  /** Containers whose image a defender read before start from what the store kept of it. */
  private async seedKept(): Promise<void> {
    for (const t of [...this.containers.running()]) {
      const read = this.imagesRead.get(t.info.imageId) ?? (await this.images.kept(t.info.imageId));
      if (read !== undefined) this.seed(t, read);
    }
  }

  private readImages(): void {
    this.readingImages = true;
    for (const t of [...this.containers.running()]) if (!this.imagesRead.has(t.info.imageId)) this.seedInBackground(t);
  }

  /** A container's image read in the background (once per image), its model seeded when it comes. */
  private seedInBackground(t: Tracked | undefined): void {
    if (t === undefined || !this.readingImages) return;
    const known = this.imagesRead.get(t.info.imageId);
    if (known !== undefined) {
      this.seed(t, known);
      return;
    }
    this.inBackground(this.images.read(t.info).then((read) => {
      if (!this.stopping) this.seed(t, read);
    }));
  }

  /** The image's static model and inventory join the container's model (or its intent manifest's active model is taken). */
  private seed(t: Tracked, read: ImageRead): void {
    this.imagesRead.set(t.info.imageId, read);
    t.inventory = read.inventory;
    const model = read.model;
    if (model === undefined) return;
    // a model finished elsewhere (learned in staging) is enforced at once
    if (read.intent === true && model.state === 'active') this.adopt([model], 'its intent manifest');
    else if (!t.model.seeded || t.model.state === 'learning') {
      t.model.seed({ ...model, image: t.info.image });
      this.dirty(t.model);
    }
  }

  /** Work that goes on by itself (an image read): its failure is said. */
  private inBackground(work: Promise<void>): void {
    work.catch((e: Error) => this.log(`defender: ${e.message}`));
  }

  /**
   * Models the console holds that finished learning on other nodes: each is
   * taken for its image where this defender has no model of it yet, or one
   * still learning (its containers are then judged by it at once).
   */
  adopt(models: readonly IntentModel[], from = 'the console'): void {
    const now = this.clock.now();
    for (const model of models) {
      const adopted = this.learner.adopt(model, now);
      if (adopted === undefined) continue;
      for (const t of this.containers.all()) if (t.model.id === adopted.id) t.model = adopted;
      this.dirty(adopted);
      this.log(`model ${adopted.id}: taken from ${from}, active (learned elsewhere)`);
    }
  }

  private dirty(model: ModelLearner): void {
    this.writer.model(model.id, () => model.snapshot(iso));
  }

  // ---- the event path

  /** One record from the sensor: tied to its container by cgroup, then judged. */
  private record(record: SensorRecord, at: number): void {
    this.counts.records++;
    const t = this.containers.ofCgroup(record.cgroup);
    if (t === undefined) {
      this.containers.hold(record, at);
      this.scheduleRescan();
      return;
    }
    if (record.tag === 'killed') {
      this.killed(t, record.pid, record.path, at);
      return;
    }
    const event = t.processes.event(record, t.info, this.isoOf(at), this.host);
    if (event !== undefined) this.ingest(t, event, at);
  }

  /** A time as text, once per millisecond (records come thousands a millisecond). */
  private isoOf(ms: number): string {
    if (ms !== this.lastIso.ms) this.lastIso = { ms, text: iso(ms) };
    return this.lastIso.text;
  }

  /** Cgroups the sensor names that no known container has: the runtime is asked again, soon. */
  private scheduleRescan(): void {
    if (this.rescan !== undefined || this.stopping || !this.discovered) return;
    this.rescan = this.clock.after(200, () => this.rescanNow().catch((e: Error) => this.log(`containers: ${e.message}`)));
  }

  private async rescanNow(): Promise<void> {
    this.rescan = undefined;
    for (const t of [...this.containers.running()]) {
      if (t.info.cgroupId !== undefined && this.containers.ofCgroup(t.info.cgroupId) === t) continue;
      const cgroupId = this.host.cgroupId(t.info.pid);
      if (cgroupId !== undefined) this.track({ ...t.info, cgroupId });
    }
    for (const info of await this.options.containers.running()) {
      if (info.cgroupId === undefined || this.containers.ofCgroup(info.cgroupId) !== undefined) continue;
      this.seedInBackground(this.track(info));
    }
  }

  /** An event from another tool (Falco, Tetragon, Tracee) about a container on this host: judged as the sensor's own. */
  private external(event: RuntimeEvent, at: number): boolean {
    const id = event.container?.id;
    const t = id === undefined ? undefined : this.containers.find(id);
    if (t === undefined) return false;
    this.ingest(t, { ...event, container: { ...eventContainer(t.info), ...event.container, id: t.info.id } }, at);
    return true;
  }

  /** An event of a container, at a time (when it reached the defender): judged, and stored if it told something (or always, with `events: 'all'`). */
  private ingest(t: Tracked, event: RuntimeEvent, now: number): void {
    this.counts.events++;
    if (this.evaluate(t, event, now) || this.options.events === 'all') {
      this.counts.stored++;
      this.writer.event(event, t.info.id);
    }
  }

  /** What an event means, from the judge, and what is done about it; returns whether it told something: a model learned from it, the graph saw a new edge, or it was judged. */
  private evaluate(t: Tracked, event: RuntimeEvent, now: number): boolean {
    const process = t.processes.get(event.process?.pid);
    if (event.kind === 'dns' && event.dns?.names?.[0] !== undefined) t.lastDns = { name: event.dns.names[0], at: now };
    const context = this.judging;
    context.now = now;
    const judged = judge(event, this.subject(t, process, event, now), context);
    if (judged.runtime) {
      this.counts.runtime++;
      return false;
    }
    if (judged.flag && process !== undefined) process.flagged = true;
    if (judged.learned) this.dirty(t.model);
    if (judged.graphChanged) this.graphChanged = true;
    for (const decision of judged.decisions) this.decide(t, event, decision, now);
    return judged.learned || judged.newEdge || judged.flag || judged.decisions.length > 0;
  }

  private subject(t: Tracked, process: KnownProcess | undefined, event: RuntimeEvent, now: number): Subject {
    const s: TrackedSubject = t.subject ??= {
      id: t.info.id, model: t.model, process: undefined, drift: undefined, lastDns: undefined,
      mode: (dimension) => this.modeOf(t, dimension),
      ancestors: (): string[] => t.processes.ancestors(s.process),
    };
    s.id = t.info.id;
    s.model = t.model;
    s.process = process;
    s.drift = event.kind === 'exec' ? this.driftOf(t, event.process?.path, process?.exe) : undefined;
    s.lastDns = t.lastDns !== undefined && now - t.lastDns.at < DNS_BEFORE_CONNECT_MS ? t.lastDns.name : undefined;
    return s;
  }

  /**
   * Whether an executed file is drift: written after the container started (it
   * is in the container's writable layer), or absent from the image. `exe` is
   * the file the kernel ran, every link resolved, when it could still be read.
   */
  private driftOf(t: Tracked, path: string | undefined, exe: string | undefined): DriftReason | undefined {
    const paths = [exe, path].filter((p): p is string => p !== undefined && p.startsWith('/'));
    if (paths.length === 0) return undefined;
    const upper = t.info.upperDir;
    if (upper !== undefined && paths.some((p) => this.host.inUpperDir(upper, p))) return 'modified-after-start';
    const inventory = t.inventory;
    if (inventory === undefined || inventory.size === 0) return undefined;
    // `/bin/sh` of a merged-/usr image is `/usr/bin/sh` in its layers
    return paths.some((p) => inventory.has(p) || inventory.has(`/usr${p}`)) ? undefined : 'not-in-image';
  }

  /** A container's mode in a dimension: worked out once for the settings in force and the container as it is. */
  private modeOf(t: Tracked, dimension: ModelDimension): Mode {
    const i = t.info;
    if (t.modes?.settings !== this.modes || t.modes.info !== i) {
      const target: ModeTarget = { image: i.image, imageId: i.imageId, ...(i.namespace !== undefined && { namespace: i.namespace }), ...(i.app !== undefined && { app: i.app }) };
      t.modes = { settings: this.modes, info: i, of: modesOf(this.modes, target) };
    }
    return t.modes.of[dimension];
  }

  /**
   * A decision carried out: reported (learn, alert); reported with what the
   * enforcer of its dimension did (prevent), or once the guard's kill of the
   * same exec is seen; reported and the container stopped (block).
   */
  private decide(t: Tracked, event: RuntimeEvent, { audit, mode, edge }: Decision, now: number): void {
    if (mode === 'block') {
      if (this.reconciler.block(t, `${audit.rule}: ${audit.message}`)) this.counts.blocked++;
      this.audit({ ...audit, action: STOPPED }, now);
      return;
    }
    const dimension = audit.lacked?.dimension;
    const stop = mode === 'prevent' && dimension !== undefined ? this.reconciler.stops(t.info.id, dimension, event) : undefined;
    if (stop === 'later') {
      const key = `${t.info.cgroupId}:${event.process?.pid}`;
      if (this.kills.delete(key)) this.audit(withAction(audit, KILLED), now);
      else this.held.set(key, { audit, at: now });
      return;
    }
    if (stop === undefined) {
      this.audit(audit, now);
      return;
    }
    if (stop.taken === 'connection-dropped') {
      this.counts.connectionsDropped++;
      if (edge !== undefined) this.flows.block(edge.from, edge.to, edge.port, edge.protocol);
    } else if (stop.taken === 'write-refused') {
      this.counts.writesRefused++;
    }
    this.audit(withAction(audit, stop), now);
  }

  /** The guard killed a program: its exec's audit goes out with the action (or, if the exec never comes, one made from the kill). */
  private killed(t: Tracked, pid: number, path: string, now: number): void {
    this.counts.prevented++;
    const key = `${t.info.cgroupId}:${pid}`;
    const held = this.held.get(key);
    if (held === undefined) {
      this.kills.set(key, { t, pid, path, at: now });
      return;
    }
    this.held.delete(key);
    this.audit(withAction(held.audit, KILLED), now);
  }

  /** Exec audits the guard did not kill for, and kills whose exec never came, once they waited long enough. */
  private settlePrevented(now: number): void {
    for (const [key, h] of this.held) {
      if (now - h.at < PREVENT_MATCH_MS) continue;
      this.held.delete(key);
      this.audit(h.audit, now);
    }
    for (const [key, k] of this.kills) {
      if (now - k.at < PREVENT_MATCH_MS) continue;
      this.kills.delete(key);
      const event: RuntimeEvent = { kind: 'exec', time: iso(k.at), source: 'tenet', container: eventContainer(k.t.info), process: { pid: k.pid, path: k.path } };
      this.audit(withAction(deviationAudit(event, 'processes', k.path, { id: this.newId(), model: k.t.model.id, modelState: k.t.model.state }), KILLED), now);
    }
  }

  private audit(audit: Audit, now: number): void {
    const gate = this.gate.decide(audit, now);
    if (gate === 'suppressed') return;
    // a held-back audit still counts in its incident
    const incident = this.incidents.add(audit);
    if (incident !== undefined) this.writer.incident(incident);
    if (gate === 'rate-limited') return;
    this.counts.audits++;
    this.writer.audit(audit);
    this.options.onAudit?.(audit);
  }

  // ---- the tick

  /** Every quarter second: the learning clock, commands, policy, enforcement, the store (one tick at a time). */
  tick(): Promise<void> {
    this.ticking ??= this.tickOnce().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async tickOnce(): Promise<void> {
    const now = this.clock.now();
    this.part('learning', () => this.advanceLearning(now));
    this.part('syscalls', () => this.controlSyscalls(now));
    this.part('prevent', () => this.settlePrevented(now));
    this.counts.unattributed += this.containers.expire(now);
    this.counts.dropped = this.containers.dropped;
    await this.partAsync('commands', () => this.takeCommands(now));
    // a learning model's clock is written every second, what it learned at once
    const clock = now - this.lastClockWrite >= CLOCK_WRITE_MS;
    if (clock) {
      this.lastClockWrite = now;
      for (const m of this.learner.models.values()) if (m.state === 'learning' && m.running.size > 0) this.dirty(m);
      if (this.graphChanged) {
        this.graphChanged = false;
        this.writer.supermodels(() => this.flows.supermodels().map((s) => this.scoreOutside(s)));
      }
      await this.partAsync('intel', async () => {
        await this.intel.refresh(now);
        this.judging.intel = this.intel.index;
      });
      await this.partAsync('suppressions', async () => this.gate.setSuppressions(await this.store.suppressions()));
    }
    // modes every tick: a change is live within a quarter second plus the enforcer's start
    await this.partAsync('modes', async () => {
      const modes = await this.store.modes();
      // the same settings keep their array: what containers' modes were worked out for
      if (JSON.stringify(modes) !== JSON.stringify(this.modes)) this.modes = modes;
    });
    if (!this.stopping) this.part('enforcement', () => this.reconciler.reconcile(this.containers.all(), { modeOf: (t, d) => this.modeOf(t, d), peersOf: (id) => this.flows.peersOf(id) }));
    if (clock) this.writer.status('defender', this.status());
    await this.writer.flush();
  }

  /** One part of the tick: a failure is said (once until it changes) and the other parts go on. */
  private part(name: string, work: () => void): void {
    try {
      work();
      this.failing.delete(name);
    } catch (e) {
      this.failed(name, e as Error);
    }
  }

  private async partAsync(name: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
      this.failing.delete(name);
    } catch (e) {
      this.failed(name, e as Error);
    }
  }

  private failed(name: string, e: Error): void {
    if (this.failing.get(name) !== e.message) this.log(`${name}: ${e.message}`);
    this.failing.set(name, e.message);
  }

  /** The learning clock runs only while the sensors can see: time they were starting or restarting is not observed time. */
  private advanceLearning(now: number): void {
    const observing = this.options.sensors.every((s) => s.watching());
    for (const m of observing ? this.learner.advance(now) : this.learner.pause(now)) {
      this.dirty(m);
      this.log(`model ${m.id} is active`);
    }
  }

  private async takeCommands(now: number): Promise<void> {
    for (const command of await this.store.takeCommands()) {
      const m = this.learner.models.get(command.model);
      if (m === undefined) {
        this.log(`${command.action}: no model ${command.model}`);
        continue;
      }
      if (command.action === 'relearn') m.relearn(now);
      else m.extend(command.seconds);
      this.dirty(m);
      this.log(`model ${m.id}: ${command.action === 'relearn' ? 'learning again' : `learning ${command.seconds} s more`}`);
    }
  }

  /**
   * The syscall sensor runs while a learning model has a running container
   * (and a minute after, so that a restart is watched from its first call),
   * then for a sample every period (or always).
   */
  private controlSyscalls(now: number): void {
    const watch = this.syscallWatch;
    if (watch === undefined || this.stopping) return;
    const sample = this.options.syscallSample;
    if ([...this.learner.models.values()].some((m) => m.state === 'learning' && m.running.size > 0)) this.lastLearning = now;
    const learning = sample === undefined || now - this.lastLearning < RESTART_GRACE_MS;
    if (!learning && sample !== undefined && now - this.lastSample >= sample.periodMs) this.lastSample = now;
    const sampling = sample !== undefined && now - this.lastSample < sample.windowMs;
    watch.want(learning || sampling);
  }

  /** Traffic leaving an application, with what threat-intelligence feeds say of its address or name. */
  private scoreOutside(s: ReturnType<FlowGraph['supermodels']>[number]): ReturnType<FlowGraph['supermodels']>[number] {
    const intel = this.intel.index;
    if (intel.size === 0 || s.outside === undefined) return s;
    return {
      ...s,
      outside: s.outside.map((o) => {
        const found = [...intel.lookup(o.address), ...(o.name !== undefined ? intel.lookup(o.name) : [])];
        return found.length > 0 ? { ...o, intel: found } : o;
      }),
    };
  }

  status(): DefenderStatus {
    const sources = [...this.options.sensors, ...(this.options.streams ?? [])];
    const said = Object.assign({}, ...sources.map((s) => s.status()), this.reconciler.status()) as Omit<DefenderStatus, 'host'>;
    return {
      ...said,
      host: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      learnForSec: this.options.learnForSec,
      running: this.running && !this.stopping,
      runtime: this.options.containers.name,
      sources: sources.map((s) => s.name),
      steps: this.steps.running,
      images: { pending: this.images.pending },
      store: { ...this.writer.counts, pending: this.writer.pending },
      sensor: said.sensor ?? { running: false, reason: 'not started (no sensor asked for)' },
      modes: this.modes,
      counts: { ...this.counts, ...this.gate.counts },
      intel: { indicators: this.intel.index.size },
      containers: [...this.containers.running()].length,
      models: [...this.learner.models.values()].map((m) => ({ id: m.id, state: m.state, remainingLearningDurationSec: m.state === 'learning' ? m.remainingSec : 0, running: m.running.size })),
    };
  }
}

/** Stops every source, each even when another fails; then fails with the ones that did. */
async function stopAll(sources: readonly EventSource[]): Promise<void> {
  const results = await Promise.allSettled(sources.map((s) => s.stop()));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${sources[i]!.name}: ${(r.reason as Error).message}`] : []));
  if (failed.length > 0) throw new Error(failed.join('; '));
}
