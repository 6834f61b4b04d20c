import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { AlertGate, driftAudit, deviationAudit, IncidentBuilder, intelAudit, KnownBad, lateralAudit, type DriftReason } from '../detect/index.ts';
import { IntelIndex } from '../intel/index.ts';
import { pullIntent, readImage } from '../image/index.ts';
import { imageIntent, parseImage } from '../intent/index.ts';
import { iso, Learner, type ModelLearner } from '../learn/index.ts';
import type { Audit, Converted, Incident, IntentModel, Mode, ModelDimension, ModeSetting, RuntimeEvent, Supermodel } from '../model/index.ts';
import {
  cgroupIdOf, containerPids, inspectContainer, listeningSockets, runningContainers, stopContainer, watchContainers, workloadOf, type ContainerAction, type ContainerInfo,
} from '../runtime/index.ts';
import { checkSeccomp, modeOf, nftablesRuleset, type ModeTarget } from '../enforce/index.ts';
import { ExecGuard } from './guard.ts';
import { FileGuard } from './fileguard.ts';
import { NetworkGuard } from './netguard.ts';
import { BpftraceSensor, eventContainer, followLines, INGEST_FORMATS, processPart, recordEvent, SYSCALL_SCRIPT, type IngestCounts, type KnownProcess, type SensorRecord, type SensorStats } from '../sensor/index.ts';
import type { Store, StoredContainer } from '../store/index.ts';
import { FlowGraph } from '../supermodel/index.ts';
import { loadFeed } from './feeds.ts';

export interface DefenderOptions {
  store: Store;
  /** The learning window of new models, in seconds of observed time. */
  learnForSec: number;
  /** Run the bpftrace sensor (needs root); without it the defender only tracks containers and ingests other tools' events. */
  sensor?: boolean;
  /** Read each container's image for its static model and inventory (default true). */
  analyseImages?: boolean;
  socketPath?: string;
  onLog?: (line: string) => void;
  onAudit?: (audit: Audit) => void;
  /**
   * Once no model learns, syscalls are watched in samples: `windowMs` every
   * `periodMs`; undefined to watch them all the time. A probe on every
   * syscall is the sensor's largest cost (bench/sensor-overhead).
   */
  syscallSample?: { windowMs: number; periodMs: number };
  /** Other tools' output to read as events: `{ format: 'falco', path: '/var/log/falco.json' }` (`-` for standard input). */
  ingest?: ReadonlyArray<{ format: string; path: string }>;
  /** Registries (`HOST[:PORT]`) asked for the intent manifest of the images of theirs that containers run: their starting model. */
  intentRegistries?: readonly string[];
}

/** What a container of an image starts from: the model (its intent manifest's, else the image's own), and its executables (with symbolic links' targets). */
interface ImageRead {
  model?: IntentModel;
  inventory?: Set<string>;
}

/** Everything the defender holds about one container. */
interface Tracked {
  info: ContainerInfo;
  model: ModelLearner;
  processes: Map<number, KnownProcess>;
  argv: Map<number, string[]>;
  /** Executables of the image (with symbolic links' targets), once it was read. */
  inventory?: ReadonlySet<string>;
  /** The last DNS name it asked for, and when: the name of the peer it connects to next. */
  lastDns?: { name: string; at: number };
}

export interface DefenderCounts {
  records: number;
  events: number;
  audits: number;
  /** Records from cgroups that turned out to be no container's (runc setting one up, the host). */
  unattributed: number;
  /** Records dropped while their cgroup was not yet known to be a container's and its queue was full. */
  dropped: number;
  /** Events of the container runtime itself (`runc init`), not evaluated. */
  runtime: number;
  imageErrors: number;
  /** Programs the exec guard killed before they ran (prevent mode). */
  prevented: number;
  /** Connections out of the model that a container's nftables table dropped (prevent mode). */
  connectionsDropped: number;
  /** Writes to protected paths that a read-only folder refused (prevent mode). */
  writesRefused: number;
  /** Containers stopped for a deviation (block mode). */
  blocked: number;
}

/** A DNS name asked this shortly before a connection is taken as the name of its peer. */
const DNS_BEFORE_CONNECT_MS = 5_000;

/** How long the syscall sensor keeps watching after the last learning container stopped: a restart is seen from its first call. */
const RESTART_GRACE_MS = 60_000;

/** Records kept per cgroup the defender cannot yet tie to a container (a container starting). */
const UNKNOWN_CGROUP_LIMIT = 10_000;
const UNKNOWN_CGROUP_GRACE_MS = 5_000;
/** How long an exec's audit waits for the guard's kill (or a kill for its exec) before it goes out alone. */
const PREVENT_MATCH_MS = 1_000;
/** How often the learning clock of models, and the status, are written. */
const CLOCK_WRITE_MS = 1_000;

/**
 * The defender on one host: containers from the Docker engine, events from the
 * bpftrace sensor (or other tools), one learned model per image, drift and
 * deviations as audits, everything written to the store.
 */
export class Defender {
  readonly counts: DefenderCounts = { records: 0, events: 0, audits: 0, unattributed: 0, dropped: 0, runtime: 0, imageErrors: 0, prevented: 0, connectionsDropped: 0, writesRefused: 0, blocked: 0 };
  readonly learner: Learner;
  private readonly options: DefenderOptions;
  private readonly tracked = new Map<string, Tracked>();
  private readonly byCgroup = new Map<string, Tracked>();
  private readonly unknown = new Map<string, { since: number; records: SensorRecord[] }>();
  private readonly images = new Map<string, Promise<ImageRead>>();
  private readonly imagesRead = new Map<string, ImageRead>();
  private readonly intents = new Map<string, Promise<IntentModel | undefined>>();
  private sensor: BpftraceSensor | undefined;
  private sensorError: string | undefined;
  /** The syscall sensor: on while a model learns, and for a sample every period after. */
  private syscalls: BpftraceSensor | undefined;
  private syscallsOn = false;
  private lastSample = 0;
  /** The applications' graphs, learned from the connections their containers make. */
  private readonly flows = new FlowGraph();
  private graphChanged = false;
  /** When a learning model last had a running container. */
  private lastLearning = -Infinity;
  private watcher: { close(): void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private rescan: NodeJS.Timeout | undefined;
  private eventBuffer: Array<{ event: RuntimeEvent; container?: string }> = [];
  private auditBuffer: Audit[] = [];
  private readonly incidents = new IncidentBuilder(() => randomUUID());
  private readonly knownBad = new KnownBad();
  /** Suppressions and the rate limit per rule and container. */
  readonly gate = new AlertGate();
  private dirtyIncidents = new Set<Incident>();
  private dirtyModels = new Set<ModelLearner>();
  private syscallRecords: SensorRecord[] = [];
  readonly ingested: IngestCounts = { lines: 0, events: 0, rejected: {}, otherContainers: 0 };
  private readonly unfollow: Array<() => void> = [];
  private readonly startedAt = new Date().toISOString();
  private lastClockWrite = 0;
  /** Threat intelligence from the store's feeds, rebuilt when they change. */
  private intel = new IntelIndex([]);
  private intelVersion = '';
  private readonly reloading = new Set<string>();
  private stopped = false;
  /** The `tenet mode` settings, read from the store every tick. */
  private modes: ModeSetting[] = [];
  /** Kills what prevented containers' models do not allow (with the sensor only: it needs bpftrace). */
  private guard: ExecGuard | undefined;
  /** Exec audits of prevented containers waiting for the guard's kill, and kills waiting for their exec, by cgroup and pid. */
  private readonly held = new Map<string, { audit: Audit; at: number }>();
  private readonly kills = new Map<string, { t: Tracked; pid: number; path: string; at: number }>();
  private readonly blocking = new Set<string>();
  /** nftables tables in prevented containers' network namespaces (with the sensor only: it needs root). */
  private netguard: NetworkGuard | undefined;
  /** What each container's network is held to, as last given to the network guard. */
  private readonly networkHeld = new Map<string, string>();
  /** Read-only folders in prevented containers' mount namespaces (with the sensor only: it needs root). */
  private fileguard: FileGuard | undefined;
  /** What each container's files are held to, as last given to the file guard. */
  private readonly filesHeld = new Map<string, string>();
  /** Containers whose syscalls are prevented, and whether they run their model's seccomp profile (it takes a restart). */
  private readonly seccomp = new Map<string, SeccompReport & { key: string }>();

  constructor(options: DefenderOptions) {
    this.options = options;
    this.learner = new Learner({ windowSec: options.learnForSec });
  }

  private log(line: string): void {
    this.options.onLog?.(line);
  }

  async start(): Promise<void> {
    this.learner.restore(await this.options.store.models(), Date.now());
    // the graphs learned before: their edges stay allowed
    for (const s of await this.options.store.supermodels()) for (const e of s.edges) if (e.state === 'learned' || e.state === 'both') this.flows.allow(e);
    await this.refreshIntel(Date.now());
    await this.watch();
    const running = await runningContainers(this.options.socketPath);
    await this.storeStopped(new Set(running.map((c) => c.id)));
    for (const info of running) {
      await this.track(info);
      this.observeRunning(info.id);
    }
    if (this.options.sensor !== false) {
      this.sensor = new BpftraceSensor({
        onRecord: (r) => this.record(r),
        onDiagnostic: (line) => this.log(line),
      });
      this.guard = new ExecGuard((r) => this.record(r), (line) => this.log(line));
      this.netguard = new NetworkGuard((line) => this.log(line));
      this.fileguard = new FileGuard((line) => this.log(line));
      this.syscalls = new BpftraceSensor({
        script: SYSCALL_SCRIPT,
        // held until the next tick: the other sensor's exec of the same process comes first
        onRecord: (r) => this.syscallRecords.push(r),
        onDiagnostic: (line) => this.log(`syscalls: ${line}`),
      });
      // the syscall sensor starts with the other: containers found running are learning or sampled
      this.syscallsOn = true;
      this.lastSample = Date.now();
      const syscalls = this.syscalls.start().catch((e: Error) => this.log(`syscalls: ${e.message}`));
      try {
        await this.sensor.start();
      } catch (e) {
        this.sensorError = (e as Error).message;
        this.log(`sensor: ${this.sensorError}`);
      }
      await syscalls;
    }
    for (const { format, path } of this.options.ingest ?? []) {
      const adapter = INGEST_FORMATS[format]!;
      this.unfollow.push(followLines(path, (line) => this.ingestLine(adapter, line)));
    }
    this.timer = setInterval(() => this.write(this.tick()), 250);
    await this.tick();
  }

  /** One line of another tool's output: its event, about a container this defender follows. */
  private ingestLine(adapter: (json: unknown) => Converted, line: string): void {
    this.ingested.lines++;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      json = undefined;
    }
    const converted: Converted = json === undefined ? { rejected: 'not JSON' } : adapter(json);
    if ('rejected' in converted) {
      this.ingested.rejected[converted.rejected] = (this.ingested.rejected[converted.rejected] ?? 0) + 1;
      return;
    }
    if (this.ingestExternal(converted.event)) this.ingested.events++;
    else this.ingested.otherContainers++;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.rescan);
    this.watcher?.close();
    for (const stop of this.unfollow) stop();
    await Promise.all([this.sensor?.stop(), this.syscalls?.stop(), this.guard?.stop(), this.netguard?.release(), this.fileguard?.release()]);
    await this.tick();
  }

  /** Work started outside the tick: a failure is said, not thrown. */
  private write(done: Promise<void>): void {
    done.catch((e: Error) => this.log(`defender: ${e.message}`));
  }

  private async watch(): Promise<void> {
    this.watcher = await watchContainers(
      (action, id) => this.write(this.containerEvent(action, id)),
      (reason) => {
        if (this.stopped) return;
        this.log(`containers: ${reason}; following the engine again in 1 s`);
        setTimeout(() => this.write(this.resync()), 1000);
      },
      this.options.socketPath,
    );
  }

  /** Containers stored as running that are not (stopped or removed while no defender watched) are stored as stopped. */
  private async storeStopped(running: ReadonlySet<string>): Promise<void> {
    for (const c of await this.options.store.containers()) if (c.running && !running.has(c.id) && !this.tracked.has(c.id)) await this.options.store.putContainer({ ...c, running: false });
  }

  private async resync(): Promise<void> {
    try {
      await this.watch();
      const running = await runningContainers(this.options.socketPath);
      const ids = new Set(running.map((c) => c.id));
      for (const [id, t] of this.tracked) if (!ids.has(id) && t.info.running) this.containerGone(id, false);
      await this.storeStopped(ids);
      for (const info of running) {
        if (this.tracked.has(info.id)) continue;
        await this.track(info);
        this.observeRunning(info.id);
      }
    } catch (e) {
      this.log(`containers: ${(e as Error).message}; trying again in 5 s`);
      setTimeout(() => this.write(this.resync()), 5000);
    }
  }

  private async containerEvent(action: ContainerAction, id: string): Promise<void> {
    if (action === 'start') {
      try {
        const info = await inspectContainer(id, this.options.socketPath);
        // the syscall sensor saw this start from its first call if it ran, probes attached, before the container started
        const since = this.syscalls?.stats.running === true ? this.syscalls.stats.since : undefined;
        const tracking = this.track(info);
        if (since !== undefined && info.startedAt !== undefined && since < Date.parse(info.startedAt)) this.tracked.get(id)?.model.sawStart();
        await tracking;
      } catch (e) {
        this.log(`container ${id.slice(0, 12)}: ${(e as Error).message}`);
      }
    } else {
      this.containerGone(id, action === 'destroy');
    }
  }

  private containerGone(id: string, destroyed: boolean): void {
    const t = this.tracked.get(id);
    if (t === undefined) return;
    this.learner.detach(id);
    this.flows.leave(id, Date.now());
    this.netguard?.forget(id);
    this.networkHeld.delete(id);
    this.fileguard?.forget(id);
    this.filesHeld.delete(id);
    this.seccomp.delete(id);
    t.info = { ...t.info, running: false };
    if (t.info.cgroupId !== undefined) this.byCgroup.delete(t.info.cgroupId);
    if (destroyed) {
      this.tracked.delete(id);
      this.write(this.options.store.removeContainer(id));
    } else {
      this.write(this.options.store.putContainer(this.stored(t)));
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
   * at once), its cgroup, then its image's static model and inventory, which
   * join the model as soon as the image is read.
   */
  private async track(info: ContainerInfo): Promise<void> {
    if (!info.running) return;
    const read = this.imagesRead.get(info.imageId);
    const model = this.learner.attach(
      { id: info.id, imageId: info.imageId, repository: parseImage(info.image).repository, ...(info.namespace !== undefined && { namespace: info.namespace }) },
      Date.now(),
      read?.model === undefined ? undefined : { ...read.model, image: info.image },
    );
    const t: Tracked = this.tracked.get(info.id) ?? { info, model, processes: new Map(), argv: new Map() };
    t.info = info;
    t.model = model;
    if (read !== undefined) t.inventory = read.inventory;
    this.tracked.set(info.id, t);
    this.dirtyModels.add(model);
    const since = info.startedAt !== undefined ? Date.parse(info.startedAt) || Date.now() : Date.now();
    const networks = Object.values(info.networks ?? {});
    this.flows.addEndpoint({
      container: info.id, ...workloadOf(info), model: model.id, addresses: networks.map((n) => ({ address: n.address, from: since })),
      ...(info.published !== undefined && { published: info.published }),
    });
    for (const n of networks) if (n.gateway !== undefined) this.flows.addHost(n.gateway);
    this.graphChanged = true;
    if (info.cgroupId !== undefined) {
      this.byCgroup.set(info.cgroupId, t);
      const waiting = this.unknown.get(info.cgroupId);
      this.unknown.delete(info.cgroupId);
      for (const r of waiting?.records ?? []) this.record(r);
    }
    this.write(this.options.store.putContainer(this.stored(t)));
    this.log(`container ${info.name} (${info.image}): model ${model.id} ${model.state}`);
    if (read !== undefined) return;
    const reading = this.image(info.imageId);
    const intent = await this.intentOf(info);
    // a model finished elsewhere (learned in staging) is enforced at once, not after the image is read
    if (intent?.state === 'active') this.adopt([intent], 'its intent manifest');
    const image = await reading;
    t.inventory = image.inventory;
    const start = intent ?? image.model;
    this.imagesRead.set(info.imageId, { ...image, ...(start !== undefined && { model: start }) });
    if (start !== undefined && start.state !== 'active') {
      model.seed({ ...start, image: info.image });
      this.dirtyModels.add(model);
    }
  }

  /**
   * A container that was running before the defender saw it start: its
   * processes and listening sockets, read from /proc, are observed now, so its
   * model does not wait for them to happen again.
   */
  private observeRunning(id: string): void {
    const t = this.tracked.get(id);
    if (t === undefined) return;
    const time = new Date().toISOString();
    const container = eventContainer(t.info);
    for (const pid of containerPids(t.info.pid)) {
      const process = procProcess(pid);
      if (process.path === undefined || process.runtime === true) continue;
      t.processes.set(pid, process);
      this.ingest(t, { kind: 'exec', time, source: 'tenet', container, process: processPart(process) });
    }
    for (const socket of listeningSockets(t.info.pid)) {
      this.ingest(t, {
        kind: 'listen', time, source: 'tenet', container, process: { pid: t.info.pid },
        network: { protocol: socket.protocol, localAddress: socket.address, localPort: socket.port },
      });
    }
  }

  /** The image's static model and inventory, read once per image. */
  private image(imageId: string): Promise<ImageRead> {
    let found = this.images.get(imageId);
    if (found === undefined) {
      found = this.options.analyseImages === false ? Promise.resolve({}) : readImage(`image:${imageId}`).then((contents) => {
        const { model } = imageIntent(contents);
        const executables = model.inventory?.executables ?? [];
        return { model, inventory: new Set(executables.flatMap((e) => (e.target !== undefined ? [e.path, e.target] : [e.path]))) };
      }, (e: Error) => {
        this.counts.imageErrors++;
        this.log(`image ${imageId.slice(0, 19)}: ${e.message}; its model starts empty`);
        return {};
      });
      this.images.set(imageId, found);
    }
    return found;
  }

  /** The model of the intent manifest beside the container's image, when its registry is one to ask and has one; asked once per image. */
  private intentOf(info: ContainerInfo): Promise<IntentModel | undefined> {
    let found = this.intents.get(info.imageId);
    if (found === undefined) {
      found = this.pullIntent(info);
      this.intents.set(info.imageId, found);
    }
    return found;
  }

  private async pullIntent(info: ContainerInfo): Promise<IntentModel | undefined> {
    const { repository } = parseImage(info.image);
    const host = repository.split('/')[0]!;
    if (info.imageDigest === undefined || !(this.options.intentRegistries ?? []).includes(host)) return undefined;
    const reference = `${repository}@${info.imageDigest}`;
    try {
      const pulled = await pullIntent({ reference, digest: info.imageDigest, config: info.imageId });
      if (pulled === undefined) {
        this.log(`image ${reference}: no intent manifest in its registry; its model starts from the image`);
        return undefined;
      }
      this.log(`image ${reference}: model ${info.imageId} starts from its intent manifest ${pulled.file.digest} (${pulled.file.manifest.model.state})`);
      return pulled.file.manifest.model;
    } catch (e) {
      this.counts.imageErrors++;
      this.log(`image ${reference}: its intent manifest: ${(e as Error).message}; its model starts from the image`);
      return undefined;
    }
  }

  /** One record from the sensor: tied to its container by cgroup id, then evaluated. */
  private record(record: SensorRecord): void {
    this.counts.records++;
    const t = this.byCgroup.get(record.cgroup);
    if (t === undefined) {
      const waiting = this.unknown.get(record.cgroup) ?? { since: Date.now(), records: [] };
      if (waiting.records.length < UNKNOWN_CGROUP_LIMIT) waiting.records.push(record);
      else this.counts.dropped++;
      this.unknown.set(record.cgroup, waiting);
      this.scheduleRescan();
      return;
    }
    if (record.tag === 'killed') {
      this.killed(t, record.pid, record.path);
      return;
    }
    const event = this.recordToEvent(t, record);
    if (event !== undefined) this.ingest(t, event);
  }

  /** Cgroups the sensor names that no known container has: the engine is asked again, soon. */
  private scheduleRescan(): void {
    if (this.rescan !== undefined) return;
    this.rescan = setTimeout(() => {
      this.rescan = undefined;
      for (const t of this.tracked.values()) {
        if (!t.info.running || (t.info.cgroupId !== undefined && this.byCgroup.get(t.info.cgroupId) === t)) continue;
        const cgroupId = cgroupIdOf(t.info.pid);
        if (cgroupId !== undefined) this.write(this.track({ ...t.info, cgroupId }));
      }
      void runningContainers(this.options.socketPath).then(async (running) => {
        for (const info of running) if (info.cgroupId !== undefined && !this.byCgroup.has(info.cgroupId)) await this.track(info);
      }, () => undefined);
    }, 200);
  }

  private recordToEvent(t: Tracked, record: SensorRecord): RuntimeEvent | undefined {
    const time = new Date().toISOString();
    if (record.tag === 'argv') {
      t.argv.set(record.pid, record.argv);
      return undefined;
    }
    if (record.tag === 'exec') {
      const argv = t.argv.get(record.pid);
      t.argv.delete(record.pid);
      const exe = readExe(record.pid);
      const parent = t.processes.get(record.ppid) ?? { pid: record.ppid, name: record.parentName };
      const process: KnownProcess = {
        pid: record.pid, ppid: record.ppid, path: record.path, name: record.name, uid: record.uid,
        ...(argv !== undefined && { argv }), ...(exe !== undefined && { exe }), ...(parent.flagged === true && { flagged: true }),
      };
      t.processes.set(record.pid, process);
      return recordEvent(record, t.info, time, process, parent);
    }
    const process = t.processes.get(record.pid) ?? procProcess(record.pid);
    if (record.tag === 'exit') t.processes.delete(record.pid);
    else if (!t.processes.has(record.pid) && process !== undefined) t.processes.set(record.pid, process);
    return recordEvent(record, t.info, time, process);
  }

  /**
   * An event from another tool (Falco, Tetragon, Tracee) about a container on
   * this host: evaluated as the sensor's own.
   */
  /**
   * Models the console holds that finished learning on other nodes: each is
   * taken for its image where this defender has no model of it yet, or one
   * still learning (its containers are then judged by it at once).
   */
  adopt(models: readonly IntentModel[], from = 'the console'): void {
    const now = Date.now();
    for (const model of models) {
      const adopted = this.learner.adopt(model, now);
      if (adopted === undefined) continue;
      for (const t of this.tracked.values()) if (t.model.id === adopted.id) t.model = adopted;
      this.dirtyModels.add(adopted);
      this.log(`model ${adopted.id}: taken from ${from}, active (learned elsewhere)`);
    }
  }

  ingestExternal(event: RuntimeEvent): boolean {
    const id = event.container?.id;
    if (id === undefined) return false;
    const t = this.tracked.get(id) ?? [...this.tracked.values()].find((c) => c.info.id.startsWith(id));
    if (t === undefined) return false;
    this.ingest(t, { ...event, container: { ...eventContainer(t.info), ...event.container, id: t.info.id } });
    return true;
  }

  private ingest(t: Tracked, event: RuntimeEvent): void {
    this.counts.events++;
    this.eventBuffer.push({ event, container: t.info.id });
    this.evaluate(t, event);
  }

  private evaluate(t: Tracked, event: RuntimeEvent): void {
    const model = t.model;
    const process = t.processes.get(event.process?.pid ?? -1);
    if (process?.runtime === true && event.kind !== 'exec') {
      this.counts.runtime++;
      return;
    }
    const context = () => ({ id: randomUUID(), model: model.id, modelState: model.state });
    const path = event.process?.path ?? event.process?.name;
    // the ancestors are walked only for the checks that ask (a shell's parent)
    const known = this.knownBad.audits(event, { get ancestors() { return ancestorsOf(t, process); }, knownProcess: () => path !== undefined && model.allows('processes', path) }, context);
    for (const audit of known) this.audit(audit);
    if (known.length > 0 && process !== undefined) process.flagged = true;
    this.scoreIntel(event, context);
    if (event.kind === 'exec') {
      const reason = driftOf(t, event.process?.path, process?.exe);
      if (reason !== undefined) {
        if (process !== undefined) process.flagged = true;
        this.act(t, event, driftAudit(event, reason, context()), this.modeOf(t, 'processes'));
        return; // a drifted program is never learned
      }
    }
    if (event.kind === 'dns' && event.dns?.names?.[0] !== undefined) t.lastDns = { name: event.dns.names[0], at: Date.now() };
    if (this.judgeFlow(t, event, context)) return;
    const verdict = model.observe(event, t.info.id, Date.now());
    if (verdict.outcome === 'learned') this.dirtyModels.add(model);
    if (verdict.outcome !== 'deviation') return;
    // what an already reported process does at the level of syscalls and capabilities is part of that report
    if (process?.flagged === true && (event.kind === 'syscall' || event.kind === 'capability')) return;
    const mode = this.modeOf(t, verdict.dimension);
    if (mode === 'learn') {
      model.accept(event, t.info.id, Date.now());
      this.dirtyModels.add(model);
      return;
    }
    if (verdict.dimension === 'processes' && process !== undefined) process.flagged = true;
    this.act(t, event, deviationAudit(event, verdict.dimension, verdict.entry, context(), verdict.parent), mode);
  }

  private modeOf(t: Tracked, dimension: ModelDimension): Mode {
    const i = t.info;
    const target: ModeTarget = { image: i.image, imageId: i.imageId, ...(i.namespace !== undefined && { namespace: i.namespace }), ...(i.app !== undefined && { app: i.app }) };
    return modeOf(this.modes, target, dimension);
  }

  /**
   * A connection, counted in its application's graph. One to another workload
   * of the application, once the client's model is active, is judged by the
   * graph rather than by the model's addresses: inside it, it is known (a
   * restarted server's new address included); outside it, it is one
   * lateral-movement audit. Returns whether it was judged here.
   */
  private judgeFlow(t: Tracked, event: RuntimeEvent, context: () => { id: string; model: string; modelState: string }): boolean {
    const n = event.network;
    if (event.kind !== 'connect' || n?.remoteAddress === undefined || n.remotePort === undefined) return false;
    const model = t.model;
    const mode = this.modeOf(t, 'egress');
    const learn = mode === 'learn';
    const dns = t.lastDns !== undefined && Date.now() - t.lastDns.at < DNS_BEFORE_CONNECT_MS ? t.lastDns.name : undefined;
    const protocol = n.protocol === 'udp' ? 'udp' : 'tcp';
    const judged = this.flows.addFlow({
      time: Date.parse(event.time) || Date.now(), container: t.info.id, address: n.remoteAddress, port: n.remotePort, protocol, ...(dns !== undefined && { name: dns }),
    }, model.state === 'learning' || learn);
    this.graphChanged = true;
    if (judged === undefined || model.state !== 'active') return false;
    if (judged.inside) {
      if (learn) {
        model.accept(event, t.info.id, Date.now());
        this.dirtyModels.add(model);
      }
      return true;
    }
    if (mode === 'prevent' && this.netguard?.drops(t.info.id, protocol, n.remotePort) === true) this.flows.block(judged.from, judged.to, n.remotePort, protocol);
    this.act(t, event, lateralAudit(event, judged.from, judged.to, `${protocol}/${n.remoteAddress}:${n.remotePort}`, context()), mode);
    return true;
  }

  /**
   * An audit as its mode wants it: reported (learn and alert: drift is
   * reported in every mode), reported once the guard's kill of the same exec
   * is seen (prevent), or reported and the container stopped (block).
   */
  private act(t: Tracked, event: RuntimeEvent, audit: Audit, mode: Mode): void {
    if (mode === 'block') {
      this.block(t, audit);
      return;
    }
    const n = event.network;
    if (mode === 'prevent' && event.kind === 'connect' && n?.remotePort !== undefined && this.netguard?.drops(t.info.id, n.protocol ?? 'tcp', n.remotePort) === true) {
      this.counts.connectionsDropped++;
      this.audit({ ...audit, message: `${audit.message}; dropped`, action: { taken: 'connection-dropped', detail: 'the container\'s nftables table drops it; the process lives on' } });
      return;
    }
    const folder = mode === 'prevent' && event.kind === 'write' && event.file?.path !== undefined ? this.fileguard?.refusedBy(t.info.id, event.file.path) : undefined;
    if (folder !== undefined) {
      this.counts.writesRefused++;
      this.audit({ ...audit, message: `${audit.message}; refused`, action: { taken: 'write-refused', detail: `${folder} is read-only in the container: the write failed with EROFS; the process lives on` } });
      return;
    }
    const cgroup = t.info.cgroupId;
    if (mode !== 'prevent' || event.kind !== 'exec' || cgroup === undefined || this.guard?.covers(cgroup) !== true) {
      this.audit(audit);
      return;
    }
    const key = `${cgroup}:${event.process?.pid}`;
    if (this.kills.delete(key)) this.audit(withKill(audit));
    else this.held.set(key, { audit, at: Date.now() });
  }

  /** The guard killed a program: its exec's audit goes out with the action (or, if the exec never comes, one made from the kill). */
  private killed(t: Tracked, pid: number, path: string): void {
    this.counts.prevented++;
    const key = `${t.info.cgroupId}:${pid}`;
    const held = this.held.get(key);
    if (held === undefined) {
      this.kills.set(key, { t, pid, path, at: Date.now() });
      return;
    }
    this.held.delete(key);
    this.audit(withKill(held.audit));
  }

  /** Exec audits the guard did not kill for, and kills whose exec never came, once they waited long enough. */
  private settlePrevented(now: number): void {
    for (const [key, h] of this.held) {
      if (now - h.at < PREVENT_MATCH_MS) continue;
      this.held.delete(key);
      this.audit(h.audit);
    }
    for (const [key, k] of this.kills) {
      if (now - k.at < PREVENT_MATCH_MS) continue;
      this.kills.delete(key);
      const event: RuntimeEvent = { kind: 'exec', time: iso(k.at), source: 'tenet', container: eventContainer(k.t.info), process: { pid: k.pid, path: k.path } };
      this.audit(withKill(deviationAudit(event, 'processes', k.path, { id: randomUUID(), model: k.t.model.id, modelState: k.t.model.state })));
    }
  }

  /** Block mode: the audit, and the container stopped (once, however many deviations come while it stops). */
  private block(t: Tracked, audit: Audit): void {
    this.audit({ ...audit, action: { taken: 'container-stopped', detail: 'block mode: the container was stopped' } });
    const id = t.info.id;
    if (this.blocking.has(id)) return;
    this.blocking.add(id);
    this.counts.blocked++;
    this.log(`block: stopping ${t.info.name} (${audit.rule}: ${audit.message})`);
    stopContainer(id, 1, this.options.socketPath)
      .catch((e: Error) => this.log(`block: cannot stop ${t.info.name}: ${e.message}`))
      .finally(() => this.blocking.delete(id));
  }

  /**
   * Containers whose listen ports or egress are prevented (active models) get
   * an nftables table made from their model, again when the model changes;
   * the others have theirs taken away.
   */
  private updateNetwork(): void {
    if (this.netguard === undefined || this.stopped) return;
    for (const t of this.tracked.values()) {
      if (!t.info.running) continue;
      const active = t.model.state === 'active';
      const directions = { in: active && this.modeOf(t, 'listen') === 'prevent', out: active && this.modeOf(t, 'egress') === 'prevent' };
      const held = directions.in || directions.out;
      // the peers its application's graph allows, at their addresses now: a restarted server keeps being reachable
      const peers = held ? this.flows.peersOf(t.info.id) : [];
      const key = held ? `${directions.in} ${directions.out} ${t.model.entries('listen').join()} ${t.model.entries('egress').join()} ${peers.map((p) => `${p.host}:${p.port}`).join()}` : '';
      if (key === (this.networkHeld.get(t.info.id) ?? '')) continue;
      this.networkHeld.set(t.info.id, key);
      if (!held) {
        this.write(this.netguard.hold(t.info.id, t.info.pid, undefined));
        continue;
      }
      const model = t.model.snapshot(iso);
      model.network.egress.push(...peers.map((p) => ({ ...p, sources: [{ kind: 'learned' as const, detail: 'a peer of its application\'s graph' }] })));
      this.write(this.netguard.hold(t.info.id, t.info.pid, nftablesRuleset(model, { directions })));
    }
  }

  /** Containers whose writes are prevented (active models) get read-only folders made from their model's writable paths; the others lose theirs. */
  private updateFiles(): void {
    if (this.fileguard === undefined || this.stopped) return;
    for (const t of this.tracked.values()) {
      if (!t.info.running) continue;
      const writable = t.model.state === 'active' && this.modeOf(t, 'writable') === 'prevent' ? t.model.entries('writable') : undefined;
      // a model that writes nothing holds every folder: its key is not the empty one of a container let go
      const key = writable === undefined ? '' : `held\n${writable.join('\n')}`;
      if (key === (this.filesHeld.get(t.info.id) ?? '')) continue;
      this.filesHeld.set(t.info.id, key);
      this.write(this.fileguard.hold(t.info.id, t.info.pid, writable));
    }
  }

  /**
   * Seccomp cannot be put on a running process from outside: for containers
   * whose syscalls are prevented, whether they run their model's profile, and
   * if not what they run instead, until they are started again with it.
   */
  private updateSeccomp(): void {
    for (const t of this.tracked.values()) {
      const prevented = t.info.running && t.model.state === 'active' && this.modeOf(t, 'syscalls') === 'prevent';
      if (!prevented) {
        this.seccomp.delete(t.info.id);
        continue;
      }
      const syscalls = t.model.entries('syscalls');
      const key = syscalls.join();
      if (this.seccomp.get(t.info.id)?.key === key) continue;
      const check = checkSeccomp(t.info.seccomp, t.info.privileged === true, syscalls);
      this.seccomp.set(t.info.id, { key, container: t.info.id, name: t.info.name, model: t.model.id, ...check });
    }
  }

  /** The exec guard takes the allow-lists of the containers whose processes are prevented (active models only). */
  private updateGuard(): void {
    if (this.guard === undefined || this.stopped) return;
    const targets = [...this.tracked.values()]
      .filter((t) => t.info.running && t.info.cgroupId !== undefined && t.model.state === 'active' && this.modeOf(t, 'processes') === 'prevent')
      .map((t) => ({ cgroup: t.info.cgroupId!, allowed: t.model.entries('processes') }));
    this.write(this.guard.update(targets));
  }

  /** Traffic leaving an application, with what threat-intelligence feeds say of its address or name. */
  private scoreOutside(s: Supermodel): Supermodel {
    if (this.intel.size === 0 || s.outside === undefined) return s;
    return {
      ...s,
      outside: s.outside.map((o) => {
        const intel = [...this.intel.lookup(o.address), ...(o.name !== undefined ? this.intel.lookup(o.name) : [])];
        return intel.length > 0 ? { ...o, intel } : o;
      }),
    };
  }

  /** Every peer and DNS name, in every model state, against the threat-intelligence feeds. */
  private scoreIntel(event: RuntimeEvent, context: () => { id: string; model: string; modelState: string }): void {
    if (this.intel.size === 0) return;
    const values = event.kind === 'connect' && event.network?.remoteAddress !== undefined
      ? [[event.network.remoteAddress, `${event.network.remoteAddress}:${event.network.remotePort ?? '?'}`]]
      : event.kind === 'dns' ? (event.dns?.names ?? []).map((n) => [n, n]) : [];
    for (const [value, shown] of values) {
      const found = this.intel.lookup(value!);
      if (found.length > 0) this.audit(intelAudit(event, shown!, found, context()));
    }
  }

  /** Feeds changed in the store (a `tenet intel load`): the index is built again. Feeds due are loaded again. */
  private async refreshIntel(now: number): Promise<void> {
    const feeds = await this.options.store.feeds();
    const version = feeds.map((f) => `${f.name}@${f.loadedAt}`).join('|');
    if (version !== this.intelVersion) {
      this.intelVersion = version;
      this.intel = new IntelIndex(await this.options.store.feedIndicators());
      this.log(`threat intelligence: ${this.intel.size} indicators from ${feeds.length} feeds`);
    }
    for (const feed of feeds) {
      if (feed.everySec === undefined || this.reloading.has(feed.name) || now - Date.parse(feed.loadedAt) < feed.everySec * 1000) continue;
      this.reloading.add(feed.name);
      loadFeed(feed.source, { name: feed.name, everySec: feed.everySec })
        .then((loaded) => this.options.store.putFeed(loaded), (e: Error) => this.log(`threat intelligence: ${e.message}; the last load of ${feed.name} stays`))
        .finally(() => this.reloading.delete(feed.name));
    }
  }

  private audit(audit: Audit): void {
    const gate = this.gate.decide(audit, Date.now());
    if (gate === 'suppressed') return;
    // a held-back audit still counts in its incident
    const incident = this.incidents.add(audit);
    if (incident !== undefined) this.dirtyIncidents.add(incident);
    if (gate === 'rate-limited') return;
    this.counts.audits++;
    this.auditBuffer.push(audit);
    this.options.onAudit?.(audit);
  }

  private ticking: Promise<void> | undefined;

  /** Every quarter second: the learning clock, the store, commands from the CLI, the status (one tick at a time). */
  private async tick(): Promise<void> {
    if (this.ticking !== undefined) return this.ticking;
    this.ticking = this.tickOnce().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async tickOnce(): Promise<void> {
    const now = Date.now();
    // syscalls seen while a model learned are learned, though the clock may make it active now
    for (const record of this.syscallRecords.splice(0)) this.record(record);
    // the learning clock runs only while the sensors can see: time they were starting or restarting is not observed time
    const observing = this.sensor === undefined || (this.sensor.stats.running && (this.syscalls === undefined || this.syscalls.stats.running || !this.syscallsOn));
    for (const m of observing ? this.learner.advance(now) : this.learner.pause(now)) {
      this.dirtyModels.add(m);
      this.log(`model ${m.id} is active`);
    }
    this.controlSyscalls(now);
    this.settlePrevented(now);
    for (const [cgroup, waiting] of this.unknown) {
      if (now - waiting.since < UNKNOWN_CGROUP_GRACE_MS) continue;
      this.counts.unattributed += waiting.records.length;
      this.unknown.delete(cgroup);
    }
    const store = this.options.store;
    try {
      for (const command of await store.takeCommands()) {
        const m = this.learner.models.get(command.model);
        if (m === undefined) {
          this.log(`${command.action}: no model ${command.model}`);
          continue;
        }
        if (command.action === 'relearn') m.relearn(now);
        else m.extend(command.seconds);
        this.dirtyModels.add(m);
        this.log(`model ${m.id}: ${command.action === 'relearn' ? 'learning again' : `learning ${command.seconds} s more`}`);
      }
      // a learning model's clock is written every few seconds, what it learned at once
      const clock = now - this.lastClockWrite >= CLOCK_WRITE_MS;
      if (clock) {
        this.lastClockWrite = now;
        for (const m of this.learner.models.values()) if (m.state === 'learning' && m.running.size > 0) this.dirtyModels.add(m);
      }
      await store.addEvents(this.eventBuffer.splice(0));
      await store.addAudits(this.auditBuffer.splice(0));
      if (this.dirtyIncidents.size > 0) {
        await store.putIncidents([...this.dirtyIncidents]);
        this.dirtyIncidents.clear();
      }
      if (this.dirtyModels.size > 0) {
        await store.putModels([...this.dirtyModels].map((m) => m.snapshot(iso)));
        this.dirtyModels.clear();
      }
      if (clock && this.graphChanged) {
        this.graphChanged = false;
        await store.putSupermodels(this.flows.supermodels().map((s) => this.scoreOutside(s)));
      }
      if (clock) {
        await this.refreshIntel(now);
        this.gate.setSuppressions(await store.suppressions());
      }
      // modes every tick: a change is live within a quarter second plus the guard's start
      this.modes = await store.modes();
      this.updateGuard();
      this.updateNetwork();
      this.updateFiles();
      this.updateSeccomp();
      if (clock || this.stopped) await store.putStatus('defender', this.status());
    } catch (e) {
      this.log(`store: ${(e as Error).message}`);
    }
  }

  /**
   * The syscall sensor runs while a learning model has a running container
   * (and a minute after, so that a restart is watched from its first call),
   * then for a sample every period (or always).
   */
  private controlSyscalls(now: number): void {
    if (this.syscalls === undefined || this.stopped) return;
    if ([...this.learner.models.values()].some((m) => m.state === 'learning' && m.running.size > 0)) this.lastLearning = now;
    const learning = this.options.syscallSample === undefined || now - this.lastLearning < RESTART_GRACE_MS;
    const sampling = this.options.syscallSample !== undefined && now - this.lastSample < this.options.syscallSample.windowMs;
    if (!learning && !sampling && this.options.syscallSample !== undefined && now - this.lastSample >= this.options.syscallSample.periodMs) {
      this.lastSample = now;
      return this.controlSyscalls(now);
    }
    const want = learning || sampling;
    if (want === this.syscallsOn) return;
    this.syscallsOn = want;
    if (want) {
      this.syscalls.start().catch((e: Error) => this.log(`syscalls: ${e.message}`));
    } else {
      this.write(this.syscalls.stop());
    }
  }

  status(): DefenderStatus {
    const stats = this.sensor?.stats;
    return {
      host: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      learnForSec: this.options.learnForSec,
      running: !this.stopped,
      sensor: stats === undefined
        ? { running: false, reason: this.options.sensor === false ? 'not started (no sensor asked for)' : this.sensorError ?? 'not started' }
        : { ...stats, ...(this.sensorError !== undefined && { reason: this.sensorError }) },
      ...(this.syscalls !== undefined && { syscallSensor: { ...this.syscalls.stats, wanted: this.syscallsOn } }),
      ...(this.guard !== undefined && { guard: this.guard.status }),
      ...(this.netguard !== undefined && { networkGuard: { containers: this.netguard.containers } }),
      ...(this.fileguard !== undefined && { fileGuard: { containers: this.fileguard.containers } }),
      ...(this.seccomp.size > 0 && { seccomp: [...this.seccomp.values()].map(({ key: _, ...report }) => report) }),
      modes: this.modes,
      counts: { ...this.counts, ...this.gate.counts },
      intel: { indicators: this.intel.size },
      ...(this.options.ingest !== undefined && this.options.ingest.length > 0 && { ingested: this.ingested }),
      containers: [...this.tracked.values()].filter((t) => t.info.running).length,
      models: [...this.learner.models.values()].map((m) => ({ id: m.id, state: m.state, remainingLearningDurationSec: m.state === 'learning' ? m.remainingSec : 0, running: m.running.size })),
    };
  }
}

export interface DefenderStatus {
  host: string;
  pid: number;
  startedAt: string;
  learnForSec: number;
  running: boolean;
  sensor: (Partial<SensorStats> & { running: boolean; reason?: string });
  /** The syscall sensor: `wanted` while a model learns or a sample runs. */
  syscallSensor?: SensorStats & { wanted: boolean };
  /** The exec guard of prevented containers (with the sensor). */
  guard?: ExecGuard['status'];
  /** Containers whose network is held to their model by an nftables table. */
  networkGuard?: { containers: number };
  /** Containers whose files are held to their model by read-only folders. */
  fileGuard?: { containers: number };
  /** Containers whose syscalls are prevented: whether each runs its model's seccomp profile. */
  seccomp?: SeccompReport[];
  /** The mode settings in force. */
  modes?: ModeSetting[];
  counts: DefenderCounts & { suppressed?: number; rateLimited?: number };
  intel: { indicators: number };
  /** Other tools' output read with `--ingest`. */
  ingested?: IngestCounts;
  containers: number;
  models: Array<{ id: string; state: string; remainingLearningDurationSec: number; running: number }>;
}

/** A container whose syscalls are prevented, and whether it runs its model's seccomp profile. */
export interface SeccompReport {
  container: string;
  name: string;
  model: string;
  has: boolean;
  reason: string;
}

/** An exec's audit with the guard's action. */
function withKill(audit: Audit): Audit {
  return { ...audit, message: `${audit.message}; killed before it ran`, action: { taken: 'process-killed', detail: 'the exec guard killed it at exec, before its first instruction; the container lives on' } };
}

/**
 * Whether an executed file is drift: written after the container started (it
 * is in the container's writable layer), or absent from the image. `exe` is
 * the file the kernel ran, every link resolved, when it could still be read.
 */
function driftOf(t: Tracked, path: string | undefined, exe: string | undefined): DriftReason | undefined {
  const paths = [exe, path].filter((p): p is string => p !== undefined && p.startsWith('/'));
  if (paths.length === 0) return undefined;
  const upper = t.info.upperDir;
  if (upper !== undefined && paths.some((p) => existsSync(`${upper}${p}`))) return 'modified-after-start';
  const inventory = t.inventory;
  if (inventory === undefined || inventory.size === 0) return undefined;
  // `/bin/sh` of a merged-/usr image is `/usr/bin/sh` in its layers
  const inImage = paths.some((p) => inventory.has(p) || inventory.has(`/usr${p}`));
  return inImage ? undefined : 'not-in-image';
}

/** The file a process runs, as the container sees it, links resolved; undefined once it is gone. */
function readExe(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

/** The names of a process's ancestors in its container, nearest first (as far as the defender saw them). */
function ancestorsOf(t: Tracked, process: KnownProcess | undefined): string[] {
  const names: string[] = [];
  const seen = new Set<number>();
  for (let p = process; p?.ppid !== undefined && !seen.has(p.ppid) && names.length < 16; p = t.processes.get(p.ppid)) {
    seen.add(p.ppid);
    const parent = t.processes.get(p.ppid);
    if (parent?.name === undefined) break;
    names.push(parent.name);
  }
  return names;
}

/** A process the sensor saw before its exec (it ran before the defender): read from /proc. */
function procProcess(pid: number): KnownProcess {
  const path = readExe(pid);
  if (path === undefined) return { pid };
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
    const runtime = (argv[0]?.endsWith('runc') === true && argv[1] === 'init') || path === '/' || path.startsWith('/memfd:');
    return { pid, path, exe: path, name: path.slice(path.lastIndexOf('/') + 1), argv, ...(runtime && { runtime }) };
  } catch {
    return { pid, path, exe: path };
  }
}
