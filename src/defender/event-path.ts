/**
 * The defender's event path: a sensor record tied to its container, made an
 * event, judged (src/detect), and what the judgement says carried out —
 * learned, stored, reported, enforced by the enforcer of its dimension, or
 * the container stopped. Everything here runs for every record: it allocates
 * as little as it can (bench/pipeline).
 */
import { deviationAudit, IncidentBuilder, judge, KnownBad, type AlertGate, type Healer, type Decision, type DriftReason, type IntelLookup, type JudgeContext, type Subject } from '../detect/index.ts';
import { modesOf, STOPPED, type Action, type ModeTarget } from '../enforce/index.ts';
import { iso } from '../learn/index.ts';
import type { Audit, Mode, ModelDimension, ModeSetting, RuntimeEvent } from '../model/index.ts';
import { eventContainer, type KnownProcess, type SensorRecord } from '../sensor/index.ts';
import type { DefenderParts } from './parts.ts';
import type { Tracked, TrackedSubject } from './tracking.ts';

export interface EventPathOptions {
  /** Which events are stored (DefenderOptions.events). */
  events: 'novel' | 'all';
  /** Suppressions and the rate limit per rule and container. */
  gate: AlertGate;
  newId: () => string;
  /** The mode settings in force: the same array while they do not change. */
  modes: () => readonly ModeSetting[];
  /** A record came from a cgroup no known container has (the runtime is to be asked again). */
  unknownCgroup: () => void;
  onAudit?: (audit: Audit) => void;
  /** Deviations with no other signal, counted toward amendments of their models. */
  healer?: Healer;
}

/** A DNS name asked this shortly before a connection is taken as the name of its peer. */
const DNS_BEFORE_CONNECT_MS = 5_000;
/** How long an exec's audit waits for the guard's kill (or a kill for its exec) before it goes out alone. */
const PREVENT_MATCH_MS = 1_000;

/** What each action adds to its audit's message. */
const SAID: Readonly<Record<string, string>> = { 'process-killed': 'killed before it ran', 'connection-dropped': 'dropped', 'write-refused': 'refused' };
const KILLED: Action = { taken: 'process-killed', detail: 'the exec guard killed it at exec, before its first instruction; the container lives on' };

const withAction = (audit: Audit, action: Action): Audit => ({ ...audit, message: `${audit.message}; ${SAID[action.taken] ?? action.taken}`, action });

export class EventPath {
  private readonly parts: DefenderParts;
  private readonly options: EventPathOptions;
  private readonly judging: JudgeContext;
  private readonly incidents: IncidentBuilder;
  /** Exec audits of prevented containers waiting for the guard's kill, and kills waiting for their exec, by cgroup and pid. */
  private readonly held = new Map<string, { audit: Audit; at: number }>();
  private readonly kills = new Map<string, { t: Tracked; pid: number; path: string; at: number }>();
  private lastIso = { ms: NaN, text: '' };

  constructor(parts: DefenderParts, options: EventPathOptions, intel: IntelLookup) {
    this.parts = parts;
    this.options = options;
    this.incidents = new IncidentBuilder(options.newId);
    this.judging = { knownBad: new KnownBad(), intel, graph: parts.flows, now: 0, newId: options.newId };
  }

  /** Threat intelligence as it stands now (the feeds were read again). */
  set intel(intel: IntelLookup) {
    this.judging.intel = intel;
  }

  /**
   * One record from the sensor: tied to its container by cgroup, then judged;
   * a record of a cgroup no container has yet waits for it.
   */
  record(record: SensorRecord, at: number): void {
    this.parts.counts.records++;
    const t = this.parts.containers.ofCgroup(record.cgroup);
    if (t === undefined) {
      if (this.parts.containers.hold(record, at)) this.options.unknownCgroup();
      return;
    }
    if (record.tag === 'killed') {
      this.killed(t, record.pid, record.path, at);
      return;
    }
    const event = t.processes.event(record, t.info, this.isoOf(at), this.parts.host);
    if (event !== undefined) this.ingest(t, event, at);
  }

  /** A time as text, once per millisecond (records come thousands a millisecond). */
  private isoOf(ms: number): string {
    if (ms !== this.lastIso.ms) this.lastIso = { ms, text: iso(ms) };
    return this.lastIso.text;
  }

  /** An event from another tool (Falco, Tetragon, Tracee) about a container on this host: judged as the sensor's own. */
  external(event: RuntimeEvent, at: number): boolean {
    const id = event.container?.id;
    const t = id === undefined ? undefined : this.parts.containers.find(id);
    if (t === undefined) return false;
    this.ingest(t, { ...event, container: { ...eventContainer(t.info), ...event.container, id: t.info.id } }, at);
    return true;
  }

  /**
   * An event of a container, at a time (when it reached the defender):
   * judged, and stored if it told something (or always, with `events:
   * 'all'`). A connection to an address none of the container's names has
   * yet waits while answers to them are under way.
   */
  ingest(t: Tracked, event: RuntimeEvent, now: number): void {
    if (event.kind === 'connect' && !this.named(t, event, now, true)) {
      this.parts.names.whenSettled(t.info.id, () => {
        this.named(t, event, now, false);
        this.take(t, event, now);
      });
      return;
    }
    this.take(t, event, now);
  }

  /** A connection's peer named by the names of the container whose answers have its address; false when it is to wait for answers under way. */
  private named(t: Tracked, event: RuntimeEvent, now: number, wait: boolean): boolean {
    const n = event.network;
    if (n?.remoteAddress === undefined || n.remoteNames !== undefined) return true;
    const names = this.parts.names.namesOf(t.info.id, n.remoteAddress, now, wait);
    if (names === 'wait') return false;
    if (names !== undefined) event.network = { ...n, remoteNames: [...names] };
    return true;
  }

  private take(t: Tracked, event: RuntimeEvent, now: number): void {
    this.parts.counts.events++;
    if (this.evaluate(t, event, now) || this.options.events === 'all') {
      this.parts.counts.stored++;
      this.parts.writer.event(event, t.info.id);
    }
  }

  /** What an event means, from the judge, and what is done about it; returns whether it told something: a model learned from it, the graph saw a new edge, or it was judged. */
  private evaluate(t: Tracked, event: RuntimeEvent, now: number): boolean {
    const process = t.processes.get(event.process?.pid);
    if (event.kind === 'dns' && event.dns?.names?.[0] !== undefined) {
      t.lastDns = { name: event.dns.names[0], at: now };
      this.parts.names.asked(t.info.id, t.info.pid, event.dns.names[0], now);
    }
    const context = this.judging;
    context.now = now;
    const judged = judge(event, this.subject(t, process, event, now), context);
    if (judged.runtime) {
      this.parts.counts.runtime++;
      return false;
    }
    if (judged.flag && process !== undefined) process.flagged = true;
    if (judged.learned) this.parts.dirty(t.model);
    if (judged.graphChanged) this.parts.graphChanged();
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
    if (upper !== undefined && paths.some((p) => this.parts.host.inUpperDir(upper, p))) return 'modified-after-start';
    const inventory = t.inventory;
    if (inventory === undefined || inventory.size === 0) return undefined;
    // `/bin/sh` of a merged-/usr image is `/usr/bin/sh` in its layers
    return paths.some((p) => inventory.has(p) || inventory.has(`/usr${p}`)) ? undefined : 'not-in-image';
  }

  /** A container's mode in a dimension: worked out once for the settings in force and the container as it is. */
  modeOf(t: Tracked, dimension: ModelDimension): Mode {
    const i = t.info;
    const settings = this.options.modes();
    if (t.modes?.settings !== settings || t.modes.info !== i) {
      const target: ModeTarget = { image: i.image, imageId: i.imageId, ...(i.namespace !== undefined && { namespace: i.namespace }), ...(i.app !== undefined && { app: i.app }) };
      t.modes = { settings, info: i, of: modesOf(settings, target) };
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
      if (this.parts.reconciler.block(t, `${audit.rule}: ${audit.message}`)) this.parts.counts.blocked++;
      this.audit({ ...audit, action: STOPPED }, now);
      return;
    }
    const dimension = audit.lacked?.dimension;
    const stop = mode === 'prevent' && dimension !== undefined ? this.parts.reconciler.stops(t.info.id, dimension, event) : undefined;
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
      this.parts.counts.connectionsDropped++;
      if (edge !== undefined) this.parts.flows.block(edge.from, edge.to, edge.port, edge.protocol);
    } else if (stop.taken === 'write-refused') {
      this.parts.counts.writesRefused++;
    }
    this.audit(withAction(audit, stop), now);
  }

  /** The guard killed a program: its exec's audit goes out with the action (or, if the exec never comes, one made from the kill). */
  private killed(t: Tracked, pid: number, path: string, now: number): void {
    this.parts.counts.prevented++;
    const key = `${t.info.cgroupId}:${pid}`;
    const held = this.held.get(key);
    if (held === undefined) {
      this.kills.set(key, { t, pid, path, at: now });
      return;
    }
    this.held.delete(key);
    this.audit(withAction(held.audit, KILLED), now);
  }

  /**
   * Exec audits the guard did not kill for, and kills whose exec never came, once they waited long enough; and the
   * audits the rate limit folded, once their minute is over.
   */
  settle(now: number): void {
    for (const folded of this.options.gate.flush(now)) this.emit(folded);
    for (const [key, h] of this.held) {
      if (now - h.at < PREVENT_MATCH_MS) continue;
      this.held.delete(key);
      this.audit(h.audit, now);
    }
    for (const [key, k] of this.kills) {
      if (now - k.at < PREVENT_MATCH_MS) continue;
      this.kills.delete(key);
      const event: RuntimeEvent = { kind: 'exec', time: iso(k.at), source: 'tenet', container: eventContainer(k.t.info), process: { pid: k.pid, path: k.path } };
      this.audit(withAction(deviationAudit(event, 'processes', k.path, { id: this.options.newId(), model: k.t.model.id, modelState: k.t.model.state }), KILLED), now);
    }
  }

  private audit(audit: Audit, now: number): void {
    const gate = this.options.gate.decide(audit, now);
    if (gate === 'suppressed') return;
    // a held-back audit still counts in its incident
    const t = this.parts.containers.find(audit.container.id);
    const told = this.incidents.add(audit, t?.processes.lineage(audit.event.process?.pid));
    for (const incident of told) this.parts.writer.incident(incident);
    // a deviation in no incident, with nothing else said of it: it may be the model that is wrong
    if (t !== undefined) this.options.healer?.deviation(audit, told.length === 0, t.model.running);
    if (gate === 'rate-limited') return;
    this.emit(audit);
  }

  /** The audits the rate limit is still folding, said now (the defender stops). */
  flushFolded(now: number): void {
    for (const folded of this.options.gate.flush(now, true)) this.emit(folded);
  }

  private emit(audit: Audit): void {
    this.parts.counts.audits++;
    this.parts.writer.audit(audit);
    this.options.onAudit?.(audit);
  }
}
