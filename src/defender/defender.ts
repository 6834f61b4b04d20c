/**
 * The defender on one host, as orchestration only: its seams are passed in
 * (where containers come from, where events come from, what enforces, what
 * the host says, the store, the clock), its start is an ordered list of
 * steps, its work a tick. Its parts: the containers step (discovery.ts),
 * the models and images steps (seeding.ts), the event path (event-path.ts),
 * the enforcement loop (reconcile.ts), the store's writes (writer.ts). What an event means is the judge's
 * (src/detect); turning records into events is the sensor's; acting is the
 * enforcers'.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AlertGate, Healer, type HealPolicy } from '../detect/index.ts';
import type { Enforcers } from '../enforce/index.ts';
import { iso, Learner, type ModelLearner } from '../learn/index.ts';
import { Proposal, type Audit, type IntentModel, type ModeSetting } from '../model/index.ts';
import { systemClock, type Clock, type ContainerSource, type Host, type Timer } from '../runtime/index.ts';
import type { EventSink, EventSource, SyscallWatch } from '../sensor/index.ts';
import type { DefenderStore } from '../store/index.ts';
import { FlowGraph } from '../supermodel/index.ts';
import { Discovery } from './discovery.ts';
import { EventPath } from './event-path.ts';
import { PeerNames, type NameResolver } from './peer-names.ts';
import type { DefenderParts } from './parts.ts';
import { ImageReader } from './images.ts';
import { IntelFeeds } from './intel.ts';
import { Reconciler } from './reconcile.ts';
import { Seeding } from './seeding.ts';
import { NO_COUNTS, type DefenderCounts, type DefenderStatus } from './status.ts';
import { Steps, type Step } from './steps.ts';
import { Containers } from './tracking.ts';
import { StoreWriter } from './writer.ts';

/** The status key the defender keeps its proposals under (`tenet models proposals` reads it). */
export const PROPOSALS = 'proposals';

export interface DefenderOptions {
  store: DefenderStore;
  /** The learning window of new models, in seconds of observed time: learning ends then at the latest. */
  learnForSec: number;
  /** Whether learning ends earlier, once a model has converged (default true). */
  converge?: boolean;
  /** Proposals of these dimensions accepted by themselves after so many audits (default: every proposal waits for someone). */
  heal?: HealPolicy;
  /** Where containers come from (the Docker engine, a CRI runtime, memory). */
  containers: ContainerSource;
  /** The kernel's events (bpftrace, a replay): started before any container is looked for. */
  sensors: readonly EventSource[];
  /** Other tools' streams (Falco, Tetragon, Tracee): followed once the containers are known. */
  streams?: readonly EventSource[];
  enforcers: Enforcers;
  /** What the defender reads of the host (/proc). */
  host: Host;
  /** How the names containers ask are resolved again, through their own DNS servers (default: none is; peers are kept by address). */
  resolver?: NameResolver;
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

/** How long the syscall sensor keeps watching after the last learning container stopped: a restart is seen from its first call. */
const RESTART_GRACE_MS = 60_000;
/** How often the learning clock of models, the graphs, the feeds and the status are written or read. */
const CLOCK_WRITE_MS = 1_000;
const TICK_MS = 250;

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
  private readonly seeding: Seeding;
  private readonly intel: IntelFeeds;
  private readonly reconciler: Reconciler;
  private readonly steps: Steps;
  /** The applications' graphs, learned from the connections their containers make. */
  private readonly flows = new FlowGraph();
  private readonly names: PeerNames;
  private readonly newId: () => string;
  private readonly startedAt: string;
  private readonly events: EventPath;
  private readonly healer: Healer;
  private readonly discovery: Discovery;
  /** Where events are delivered: the sources', and the exec guard's kills. */
  readonly sink: EventSink = { record: (r, at) => this.events.record(r, at ?? this.clock.now()), event: (e, at) => this.events.external(e, at ?? this.clock.now()) };
  private syscallWatch: SyscallWatch | undefined;
  private modes: ModeSetting[] = [];
  private timer: Timer | undefined;
  private ticking: Promise<void> | undefined;
  private stopping = false;
  private running = false;
  private graphChanged = false;
  private lastClockWrite = -Infinity;
  /** When a learning model last had a running container, and when the last syscall sample began. */
  private lastLearning = -Infinity;
  private lastSample = 0;
  /** The last failure of each part of the tick, said once until it changes. */
  private readonly failing = new Map<string, string>();

  constructor(options: DefenderOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.host = options.host;
    this.store = options.store;
    this.newId = options.newId ?? (() => randomUUID());
    this.startedAt = iso(this.clock.now());
    this.learner = new Learner({ windowSec: options.learnForSec, ...(options.converge === false && { converge: false }) });
    this.writer = new StoreWriter(options.store, (line) => this.log(line));
    this.intel = new IntelFeeds(options.store, (line) => this.log(line));
    this.reconciler = new Reconciler(options.enforcers, (line) => this.log(line));
    const images = new ImageReader({
      store: options.store, source: options.containers, concurrency: options.imageConcurrency ?? 2, intentRegistries: options.intentRegistries ?? [],
      analyse: options.analyseImages !== false, log: (line) => this.log(line), onError: () => this.counts.imageErrors++,
    });
    this.names = new PeerNames(options.resolver, this.host);
    const parts: DefenderParts = {
      containers: this.containers, learner: this.learner, flows: this.flows, names: this.names, writer: this.writer, reconciler: this.reconciler, host: this.host, clock: this.clock, counts: this.counts,
      log: (line) => this.log(line), dirty: (model) => this.dirty(model), graphChanged: () => (this.graphChanged = true),
    };
    this.seeding = new Seeding(parts, images, (models, from) => this.adopt(models, from), () => this.stopping);
    this.healer = new Healer(this.newId, options.heal);
    this.events = new EventPath(parts, {
      events: options.events ?? 'novel', gate: this.gate, newId: this.newId, modes: () => this.modes, healer: this.healer,
      unknownCgroup: () => this.discovery.scheduleRescan(), ...(options.onAudit !== undefined && { onAudit: options.onAudit }),
    }, this.intel.index);
    this.discovery = new Discovery(parts, options.containers, {
      store: options.store, events: this.events, imageRead: (id) => this.seeding.imageRead(id), seedInBackground: (t) => this.seeding.seedInBackground(t),
      syscallWatch: () => this.syscallWatch, stopping: () => this.stopping,
    });
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
      // stopped once no record comes: connections waiting for their peer's name are judged with what is known
      { name: 'peer names', start: async () => undefined, stop: async () => this.names.close() },
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
      { name: 'containers', start: () => this.discovery.discover(), stop: async () => this.discovery.stop() },
      { name: 'models', start: () => this.seeding.seedKept() },
      { name: 'enforcement', start: () => this.reconciler.adopt(this.containers.all()), stop: () => this.reconciler.release() },
      { name: 'images', start: async () => this.seeding.start(), stop: () => this.seeding.stop() },
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
          // what the rate limit was still folding is written before the store closes
          this.events.flushFolded(this.clock.now());
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
    this.events.intel = this.intel.index;
    this.modes = await this.store.modes();
    this.gate.setSuppressions(await this.store.suppressions());
    const proposals = (await this.store.status(PROPOSALS))?.value;
    if (Array.isArray(proposals)) this.healer.restore(proposals.flatMap((p) => (Proposal.safeParse(p).success ? [p as Proposal] : [])));
  }

  /** The last writes (the status says the defender stopped), then the models' slots given back. */
  private async finish(): Promise<void> {
    this.writer.status('defender', this.status());
    await this.writer.flush();
    this.learner.release();
    if (this.writer.pending > 0) throw new Error(`${this.writer.pending} records could not be written: ${this.writer.counts.lastStoreError ?? 'the store did not answer'}`);
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
    this.part('prevent', () => this.events.settle(now));
    this.counts.unattributed += this.containers.expire(now);
    this.counts.dropped = this.containers.dropped;
    await this.partAsync('commands', () => this.takeCommands(now));
    this.part('healing', () => this.heal(now));
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
        this.events.intel = this.intel.index;
      });
      await this.partAsync('suppressions', async () => this.gate.setSuppressions(await this.store.suppressions()));
    }
    // modes every tick: a change is live within a quarter second plus the enforcer's start
    await this.partAsync('modes', async () => {
      const modes = await this.store.modes();
      // the same settings keep their array: what containers' modes were worked out for
      if (JSON.stringify(modes) !== JSON.stringify(this.modes)) this.modes = modes;
    });
    if (!this.stopping) this.part('enforcement', () => this.reconciler.reconcile(this.containers.all(), { modeOf: (t, d) => this.events.modeOf(t, d), peersOf: (id) => this.flows.peersOf(id), addresses: (id) => this.names.addresses(id) }));
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
      if (command.action === 'accept-proposal' || command.action === 'reject-proposal') {
        const decided = this.healer.decide(command.proposal, command.action === 'accept-proposal' ? 'accepted' : 'rejected', command.by ?? 'someone', iso(now));
        this.log(decided === undefined ? `${command.action}: no open proposal ${command.proposal}` : `proposal ${decided.id} (${decided.dimension}: ${decided.entry}) ${decided.state}`);
        continue;
      }
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

  /** Accepted proposals taken into their models, as the `learn` mode takes an event; the proposals written when they changed. */
  private heal(now: number): void {
    for (const p of this.healer.accepted()) {
      const m = this.learner.models.get(p.model);
      if (m === undefined) continue;
      m.accept(p.evidence.event, p.evidence.containers[0]!, now);
      this.dirty(m);
      this.log(`model ${m.id}: ${p.dimension} ${p.entry} taken in (proposal ${p.id}, accepted by ${p.decided?.by ?? 'someone'})`);
    }
    if (this.healer.changed()) this.writer.status(PROPOSALS, this.healer.proposals());
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
      images: { pending: this.seeding.pending },
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
