import type { DriftReason, Subject } from '../detect/index.ts';
import type { ModelLearner } from '../learn/index.ts';
import type { Mode, ModelDimension, ModeSetting } from '../model/index.ts';
import type { ContainerInfo } from '../runtime/index.ts';
import { ProcessTable, type KnownProcess, type SensorRecord } from '../sensor/index.ts';

/** Everything the defender holds about one container. */
export interface Tracked {
  info: ContainerInfo;
  model: ModelLearner;
  processes: ProcessTable;
  /** Executables of the image (with symbolic links' targets), once it was read. */
  inventory?: ReadonlySet<string>;
  /** The last DNS name it asked for, and when: the name of the peer it connects to next. */
  lastDns?: { name: string; at: number };
  /** What the judge is told of it: one object, its fields set anew for each event (events come by the hundred thousand a second). */
  subject?: TrackedSubject;
  /** Its mode in each dimension, for the settings and the container as they were when worked out. */
  modes?: { settings: readonly ModeSetting[]; info: ContainerInfo; of: Record<ModelDimension, Mode> };
}

/** The judge's subject of a tracked container, reused from event to event. */
export interface TrackedSubject extends Subject {
  model: ModelLearner;
  process: KnownProcess | undefined;
  drift: DriftReason | undefined;
  lastDns: string | undefined;
}

/** A record waiting for its cgroup's container, and when it came. */
export interface Held {
  record: SensorRecord;
  at: number;
}

/** Records kept per cgroup the defender cannot yet tie to a container (a container starting), and for how long. */
export const UNKNOWN_CGROUP_LIMIT = 10_000;
export const UNKNOWN_CGROUP_GRACE_MS = 5_000;
/** How long a cgroup given up on (no runtime followed has it: another runtime's, the host's) is not asked about again. */
export const STRANGER_MS = 60_000;
/** Cgroups remembered as strangers, at most (the oldest forgotten past it). */
export const STRANGERS_MAX = 4_096;

/**
 * The containers the defender follows, by id and by the cgroup the kernel
 * names them with; and records of cgroups not tied to a container yet (one
 * starting, or found before the runtime was asked), kept a while, bounded,
 * and handed over once their container is known. Nothing here reads the host.
 */
export class Containers {
  private readonly byId = new Map<string, Tracked>();
  private readonly byCgroup = new Map<string, Tracked>();
  private readonly unknown = new Map<string, { since: number; records: Held[] }>();
  /** Cgroups given up on, and until when their records are dropped at once without asking the runtimes again. */
  private readonly strangers = new Map<string, number>();
  /** Records dropped because their cgroup's queue was full. */
  dropped = 0;
  /** Records of strangers dropped since the last expire. */
  private unattributed = 0;

  get(id: string): Tracked | undefined {
    return this.byId.get(id);
  }

  /** A container by its id or a prefix of it (other tools name containers by their short id). */
  find(id: string): Tracked | undefined {
    const found = this.byId.get(id);
    if (found !== undefined) return found;
    for (const t of this.byId.values()) if (t.info.id.startsWith(id)) return t;
    return undefined;
  }

  ofCgroup(cgroup: string): Tracked | undefined {
    return this.byCgroup.get(cgroup);
  }

  all(): IterableIterator<Tracked> {
    return this.byId.values();
  }

  *running(): IterableIterator<Tracked> {
    for (const t of this.byId.values()) if (t.info.running) yield t;
  }

  /** Follows a container (or takes its new state); returns the records its cgroup had waiting, now its own. */
  track(t: Tracked): Held[] {
    const old = this.byId.get(t.info.id);
    if (old !== undefined && old.info.cgroupId !== undefined && old.info.cgroupId !== t.info.cgroupId && this.byCgroup.get(old.info.cgroupId) === old) this.byCgroup.delete(old.info.cgroupId);
    this.byId.set(t.info.id, t);
    const cgroup = t.info.cgroupId;
    if (cgroup === undefined) return [];
    this.byCgroup.set(cgroup, t);
    this.strangers.delete(cgroup);
    const waiting = this.unknown.get(cgroup);
    this.unknown.delete(cgroup);
    return waiting?.records ?? [];
  }

  /** A container that stopped: no longer tied to its cgroup. */
  stopped(id: string): Tracked | undefined {
    const t = this.byId.get(id);
    if (t === undefined) return undefined;
    t.info = { ...t.info, running: false };
    if (t.info.cgroupId !== undefined && this.byCgroup.get(t.info.cgroupId) === t) this.byCgroup.delete(t.info.cgroupId);
    return t;
  }

  remove(id: string): void {
    this.stopped(id);
    this.byId.delete(id);
  }

  /**
   * A record of a cgroup no container is tied to, and when it came: kept
   * (bounded) for a while; returns whether it waits (false: a stranger's,
   * dropped and counted, and nobody need be asked about it).
   */
  hold(record: SensorRecord, at: number): boolean {
    const stranger = this.strangers.get(record.cgroup);
    if (stranger !== undefined) {
      if (at < stranger) {
        this.unattributed++;
        return false;
      }
      this.strangers.delete(record.cgroup);
    }
    let waiting = this.unknown.get(record.cgroup);
    if (waiting === undefined) this.unknown.set(record.cgroup, (waiting = { since: at, records: [] }));
    if (waiting.records.length < UNKNOWN_CGROUP_LIMIT) waiting.records.push({ record, at });
    else this.dropped++;
    return true;
  }

  /** Cgroups waiting; their records are given up past the grace, and the cgroup is a stranger for a while: returns how many records that was (and strangers' since). */
  expire(now: number): number {
    let given = this.unattributed;
    this.unattributed = 0;
    for (const [cgroup, waiting] of this.unknown) {
      if (now - waiting.since < UNKNOWN_CGROUP_GRACE_MS) continue;
      given += waiting.records.length;
      this.unknown.delete(cgroup);
      this.strangers.set(cgroup, now + STRANGER_MS);
      if (this.strangers.size > STRANGERS_MAX) this.strangers.delete(this.strangers.keys().next().value!);
    }
    return given;
  }

  /** Whether records of unknown cgroups wait. */
  get waiting(): boolean {
    return this.unknown.size > 0;
  }
}

/** A tracked container's first state. */
export function tracked(info: ContainerInfo, model: ModelLearner): Tracked {
  return { info, model, processes: new ProcessTable() };
}
