import { parseImage } from '../intent/index.ts';
import { iso } from '../learn/index.ts';
import { workloadOf, type ContainerChange, type ContainerInfo, type ContainerSource, type Timer } from '../runtime/index.ts';
import { eventContainer, processPart, type SyscallWatch } from '../sensor/index.ts';
import type { ContainerStore, StoredContainer } from '../store/index.ts';
import type { EventPath } from './event-path.ts';
import type { DefenderParts } from './parts.ts';
import type { ImageRead } from './images.ts';
import { tracked, type Tracked } from './tracking.ts';

export interface DiscoveryOptions {
  store: Pick<ContainerStore, 'containers'>;
  /** Where the records of a container found with some waiting go, and its /proc observations. */
  events: EventPath;
  /** The image read this run (or kept in the store), by image id. */
  imageRead: (imageId: string) => ImageRead | undefined;
  /** A container's image read in the background (from the images step on). */
  seedInBackground: (t: Tracked | undefined) => void;
  syscallWatch: () => SyscallWatch | undefined;
  stopping: () => boolean;
}

/**
 * The defender's containers step: the containers a ContainerSource runs, tied
 * to their cgroups and models, followed as they start and stop; the source
 * followed anew when its stream breaks, and asked again for a cgroup the
 * sensor names that no known container has.
 */
export class Discovery {
  private readonly parts: DefenderParts;
  private readonly source: ContainerSource;
  private readonly options: DiscoveryOptions;
  private follower: { close(): void } | undefined;
  private rescan: Timer | undefined;
  private resync: Timer | undefined;
  /** The runtime was asked for its containers: before, an unknown cgroup is one not asked about yet. */
  private discovered = false;

  constructor(parts: DefenderParts, source: ContainerSource, options: DiscoveryOptions) {
    this.parts = parts;
    this.source = source;
    this.options = options;
  }

  /** The containers running now, tied to their cgroups and observed from /proc; then the runtime's changes, followed. */
  async discover(): Promise<void> {
    const source = this.source;
    const running = await source.running();
    await this.storeStopped(new Set(running.map((c) => c.id)));
    for (const info of running) {
      this.track(info);
      this.observeRunning(info.id);
    }
    this.follower = await source.follow((change) => this.change(change), (reason) => this.followEnded(reason));
    this.discovered = true;
    if (this.parts.containers.waiting) this.scheduleRescan();
  }

  /** Stops following the runtime. */
  stop(): void {
    this.follower?.close();
    this.follower = undefined;
    this.rescan?.clear();
    this.resync?.clear();
  }

  private followEnded(reason: string): void {
    if (this.options.stopping()) return;
    this.parts.log(`containers: ${reason}; following ${this.source.name} again in 1 s`);
    this.resync = this.parts.clock.after(1000, () => this.resynchronise());
  }

  /** Follows the runtime anew after its stream broke: what changed meanwhile is taken up. */
  private async resynchronise(): Promise<void> {
    if (this.options.stopping()) return;
    try {
      this.follower = await this.source.follow((change) => this.change(change), (reason) => this.followEnded(reason));
      const running = await this.source.running();
      const ids = new Set(running.map((c) => c.id));
      for (const t of [...this.parts.containers.running()]) if (!ids.has(t.info.id)) this.gone(t.info.id, false);
      await this.storeStopped(ids);
      for (const info of running) {
        if (this.parts.containers.get(info.id)?.info.running === true) continue;
        this.options.seedInBackground(this.track(info));
        this.observeRunning(info.id);
      }
    } catch (e) {
      this.parts.log(`containers: ${(e as Error).message}; trying again in 5 s`);
      this.resync = this.parts.clock.after(5000, () => this.resynchronise());
    }
  }

  /** Containers stored as running that are not (stopped or removed while no defender watched) are stored as stopped. */
  private async storeStopped(running: ReadonlySet<string>): Promise<void> {
    const stored = await this.options.store.containers().catch((e: Error) => {
      this.parts.log(`store: ${e.message}`);
      return [];
    });
    for (const c of stored) if (c.running && !running.has(c.id) && this.parts.containers.get(c.id) === undefined) this.parts.writer.container({ ...c, running: false });
  }

  private change(change: ContainerChange): void {
    if (change.action === 'error') {
      this.parts.log(`container ${change.id.slice(0, 12)}: ${change.message}`);
      return;
    }
    if (change.action !== 'start') {
      this.gone(change.id, change.action === 'destroy');
      return;
    }
    const info = change.container;
    // the syscall sensor saw this start from its first call if it ran, probes attached, before the container started
    const since = this.options.syscallWatch()?.since();
    const t = this.track(info);
    if (t !== undefined && since !== undefined && info.startedAt !== undefined && since < Date.parse(info.startedAt)) t.model.sawStart();
    this.options.seedInBackground(t);
  }

  private gone(id: string, destroyed: boolean): void {
    const t = this.parts.containers.get(id);
    if (t === undefined) return;
    this.parts.learner.detach(id);
    this.parts.flows.leave(id, this.parts.clock.now());
    this.parts.names.forget(id);
    this.parts.reconciler.forget(id, this.parts.containers.running());
    if (destroyed) {
      this.parts.containers.remove(id);
      this.parts.writer.removeContainer(id);
    } else {
      this.parts.containers.stopped(id);
      this.parts.writer.container(this.stored(t));
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
    const now = this.parts.clock.now();
    const read = this.options.imageRead(info.imageId);
    const model = this.parts.learner.attach(
      {
        id: info.id, imageId: info.imageId, repository: parseImage(info.image).repository, workload: workloadOf(info).node,
        ...(info.namespace !== undefined && { namespace: info.namespace }),
      },
      now,
      read?.model === undefined ? undefined : { ...read.model, image: info.image },
    );
    const t = this.parts.containers.get(info.id) ?? tracked(info, model);
    t.info = info;
    t.model = model;
    if (read !== undefined) t.inventory = read.inventory;
    const waiting = this.parts.containers.track(t);
    this.parts.dirty(model);
    const since = info.startedAt !== undefined ? Date.parse(info.startedAt) || now : now;
    const networks = Object.values(info.networks ?? {});
    this.parts.flows.addEndpoint({
      container: info.id, ...workloadOf(info), model: model.id, addresses: networks.map((n) => ({ address: n.address, from: since })),
      ...(info.published !== undefined && { published: info.published }),
    });
    for (const n of networks) if (n.gateway !== undefined) this.parts.flows.addHost(n.gateway);
    this.parts.graphChanged();
    this.parts.writer.container(this.stored(t));
    this.parts.log(`container ${info.name} (${info.image}): model ${model.id} ${model.state}`);
    for (const { record, at } of waiting) this.options.events.record(record, at);
    return t;
  }

  /**
   * A container that was running before the defender saw it start: its
   * processes and listening sockets, read from /proc, are observed now, so its
   * model does not wait for them to happen again.
   */
  private observeRunning(id: string): void {
    const t = this.parts.containers.get(id);
    if (t === undefined) return;
    const now = this.parts.clock.now();
    const time = iso(now);
    const container = eventContainer(t.info);
    for (const pid of this.parts.host.pids(t.info.pid)) {
      const process = this.parts.host.process(pid);
      if (process.path === undefined || process.runtime === true) continue;
      t.processes.add(process);
      this.options.events.ingest(t, { kind: 'exec', time, source: 'tenet', container, process: processPart(process) }, now);
    }
    for (const socket of this.parts.host.listening(t.info.pid)) {
      this.options.events.ingest(t, {
        kind: 'listen', time, source: 'tenet', container, process: { pid: t.info.pid },
        network: { protocol: socket.protocol, localAddress: socket.address, localPort: socket.port },
      }, now);
    }
  }

  /** Cgroups the sensor names that no known container has: the runtime is asked again, soon. */
  scheduleRescan(): void {
    if (this.rescan !== undefined || this.options.stopping() || !this.discovered) return;
    this.rescan = this.parts.clock.after(200, () => this.rescanNow().catch((e: Error) => this.parts.log(`containers: ${e.message}`)));
  }

  private async rescanNow(): Promise<void> {
    this.rescan = undefined;
    for (const t of [...this.parts.containers.running()]) {
      if (t.info.cgroupId !== undefined && this.parts.containers.ofCgroup(t.info.cgroupId) === t) continue;
      const cgroupId = this.parts.host.cgroupId(t.info.pid);
      if (cgroupId !== undefined) this.track({ ...t.info, cgroupId });
    }
    for (const info of await this.source.running()) {
      if (info.cgroupId === undefined || this.parts.containers.ofCgroup(info.cgroupId) !== undefined) continue;
      this.options.seedInBackground(this.track(info));
    }
  }
}
