import type { Verdict } from '../learn/index.ts';
import type { Audit, IntelProvenance, Mode, ModelDimension, RuntimeEvent } from '../model/index.ts';
import type { Flow } from '../supermodel/index.ts';
import { deviationAudit, driftAudit, intelAudit, lateralAudit, type AuditContext, type DriftReason } from './audits.ts';
import type { KnownBad } from './known-bad.ts';

/** The model of the event's container, as the judge asks it (a ModelLearner). */
export interface JudgedModel {
  readonly id: string;
  readonly state: 'learning' | 'active';
  /** Judges one event: learns it while learning, a deviation once active. */
  observe(event: RuntimeEvent, containerId: string, now: number): Verdict;
  /** Takes an event outside the active model into it (the learn mode). */
  accept(event: RuntimeEvent, containerId: string, now: number): string | undefined;
  allows(dimension: ModelDimension, text: string): boolean;
}

/** What the judge knows of the container an event is about, besides the event. */
export interface Subject {
  /** The container's id. */
  id: string;
  model: JudgedModel;
  /** The mode in force for a dimension of the container. */
  mode(dimension: ModelDimension): Mode;
  /** The event's process as the defender knows it: the container runtime's own, or named by an audit already. */
  process?: { runtime?: boolean; flagged?: boolean };
  /** The names of the process's ancestors in the container, nearest first (asked only by the checks that need them). */
  ancestors(): readonly string[];
  /** Why an exec's file is drift, when it is (the caller reads the image's inventory and the writable layer). */
  drift?: DriftReason;
  /** The DNS name the container asked just before a connection: its peer's name. */
  lastDns?: string;
}

/** The applications' graph: a connection between workloads judged by it (FlowGraph). */
export interface FlowJudge {
  addFlow(flow: Flow, learning: boolean): { from: string; to: string; inside: boolean; first: boolean } | undefined;
  /** A connection a container accepted, counted from the server's side (its client reached it by an address no workload has). */
  addAccept(flow: Flow, learning: boolean): { first: boolean } | undefined;
}

/** Threat intelligence (IntelIndex). */
export interface IntelLookup {
  readonly size: number;
  lookup(value: string): readonly IntelProvenance[];
}

/** What the judge needs besides the event and its container. */
export interface JudgeContext {
  knownBad: KnownBad;
  intel: IntelLookup;
  graph: FlowJudge;
  now: number;
  newId: () => string;
}

/** An audit and the mode that decides what is done: reported (learn, alert), stopped (prevent), or the container stopped (block). */
export interface Decision {
  audit: Audit;
  /** `alert` for what is reported in every mode (known-bad behaviour, threat intelligence). */
  mode: Mode;
  /** A connection between two workloads the graph does not have: the edge, to mark blocked where prevent drops it. */
  edge?: { from: string; to: string; port: number; protocol: 'tcp' | 'udp' };
}

/** What one event means. */
export interface Judgement {
  decisions: Decision[];
  /** An audit named the event's process: what it does at the level of syscalls and capabilities is that story, not new ones. */
  flag: boolean;
  /** The model learned from it (it is to be written). */
  learned: boolean;
  /** The graph counted it. */
  graphChanged: boolean;
  /** The graph saw this edge between two workloads for the first time. */
  newEdge: boolean;
  /** An event of the container runtime itself (`runc init`), not judged. */
  runtime: boolean;
}

const RUNTIME: Readonly<Judgement> = { decisions: [], flag: false, learned: false, graphChanged: false, newEdge: false, runtime: true };

/**
 * What an event means, decided in one place: the known-bad rules and threat
 * intelligence (every model state), drift (every mode), a connection judged
 * by the application's graph once the model is active, and otherwise the
 * model: learned while it learns, a deviation once active — taken into the
 * model in the learn mode, reported with its mode otherwise. Pure: the
 * model and the graph learn from the event, nothing else is read or written.
 * The defender, the dry run and what-if all call it.
 */
export function judge(event: RuntimeEvent, subject: Subject, context: JudgeContext): Judgement {
  if (subject.process?.runtime === true && event.kind !== 'exec') return RUNTIME;
  const model = subject.model;
  const auditContext = (): AuditContext => ({ id: context.newId(), model: model.id, modelState: model.state });
  const decisions: Decision[] = [];
  const path = event.process?.path ?? event.process?.name;
  // the ancestors are walked only for the checks that ask (a shell's parent)
  const known = context.knownBad.audits(event, { get ancestors() { return subject.ancestors(); }, knownProcess: () => path !== undefined && model.allows('processes', path) }, auditContext);
  for (const audit of known) decisions.push({ audit, mode: 'alert' });
  let flag = known.length > 0;
  for (const audit of intelAudits(event, context.intel, auditContext)) decisions.push({ audit, mode: 'alert' });
  if (event.kind === 'exec' && subject.drift !== undefined) {
    // a drifted program is never learned
    decisions.push({ audit: driftAudit(event, subject.drift, auditContext()), mode: subject.mode('processes') });
    return { decisions, flag: true, learned: false, graphChanged: false, newEdge: false, runtime: false };
  }
  const flow = judgeFlow(event, subject, context, auditContext);
  if (flow !== undefined) {
    if (flow.decision !== undefined) decisions.push(flow.decision);
    if (flow.judged) return { decisions, flag, learned: flow.learned, graphChanged: true, newEdge: flow.first, runtime: false };
  }
  const graphChanged = flow !== undefined;
  const newEdge = flow?.first === true;
  const verdict = model.observe(event, subject.id, context.now);
  if (verdict.outcome !== 'deviation') return { decisions, flag, learned: verdict.outcome === 'learned', graphChanged, newEdge, runtime: false };
  // what an already reported process does at the level of syscalls and capabilities is part of that report
  const named = subject.process !== undefined && (subject.process.flagged === true || flag);
  if (named && (event.kind === 'syscall' || event.kind === 'capability')) return { decisions, flag, learned: false, graphChanged, newEdge, runtime: false };
  const mode = subject.mode(verdict.dimension);
  if (mode === 'learn') {
    model.accept(event, subject.id, context.now);
    return { decisions, flag, learned: true, graphChanged, newEdge, runtime: false };
  }
  if (verdict.dimension === 'processes') flag = true;
  decisions.push({ audit: deviationAudit(event, verdict.dimension, verdict.entry, auditContext(), verdict.parent), mode });
  return { decisions, flag, learned: false, graphChanged, newEdge, runtime: false };
}

/** Every peer and DNS name, in every model state, against the threat-intelligence feeds. */
function intelAudits(event: RuntimeEvent, intel: IntelLookup, auditContext: () => AuditContext): Audit[] {
  if (intel.size === 0) return [];
  const values = event.kind === 'connect' && event.network?.remoteAddress !== undefined
    ? [[event.network.remoteAddress, `${event.network.remoteAddress}:${event.network.remotePort ?? '?'}`]]
    : event.kind === 'dns' ? (event.dns?.names ?? []).map((n) => [n, n]) : [];
  const audits: Audit[] = [];
  for (const [value, shown] of values) {
    const found = intel.lookup(value!);
    if (found.length > 0) audits.push(intelAudit(event, shown!, found, auditContext()));
  }
  return audits;
}

/**
 * A connection, counted in its application's graph. One to another workload
 * of the application, once the client's model is active, is judged by the
 * graph rather than by the model's addresses: inside it, it is known (a
 * restarted server's new address included); outside it, it is one
 * lateral-movement audit. Undefined for an event that is no connection.
 */
function judgeFlow(event: RuntimeEvent, subject: Subject, context: JudgeContext, auditContext: () => AuditContext): { judged: boolean; learned: boolean; first: boolean; decision?: Decision } | undefined {
  const n = event.network;
  if (event.kind === 'accept') return acceptFlow(event, subject, context);
  if (event.kind !== 'connect' || n?.remoteAddress === undefined || n.remotePort === undefined) return undefined;
  const model = subject.model;
  const mode = subject.mode('egress');
  const protocol = n.protocol === 'udp' ? 'udp' : 'tcp';
  const name = n.remoteNames?.[0] ?? subject.lastDns;
  const judged = context.graph.addFlow({
    time: Date.parse(event.time) || context.now, container: subject.id, address: n.remoteAddress, port: n.remotePort, protocol,
    ...(name !== undefined && { name }),
  }, model.state === 'learning' || mode === 'learn');
  const first = judged?.first === true;
  if (judged === undefined || model.state !== 'active') return { judged: false, learned: false, first };
  if (judged.inside) {
    if (mode !== 'learn') return { judged: true, learned: false, first };
    model.accept(event, subject.id, context.now);
    return { judged: true, learned: true, first };
  }
  const audit = lateralAudit(event, judged.from, judged.to, `${protocol}/${n.remoteAddress}:${n.remotePort}`, auditContext());
  return { judged: true, learned: false, first, decision: { audit, mode, edge: { from: judged.from, to: judged.to, port: n.remotePort, protocol } } };
}

/**
 * A connection a container accepted: its client, found by address, joined to
 * it in the graph on the port it serves (a client that reached it through a
 * Service's virtual address is known on this side only). Counted, never
 * judged: the client's side judges its connections, the server's model its
 * ports.
 */
function acceptFlow(event: RuntimeEvent, subject: Subject, context: JudgeContext): { judged: false; learned: false; first: boolean } | undefined {
  const n = event.network;
  if (n?.remoteAddress === undefined || n.localPort === undefined) return undefined;
  const counted = context.graph.addAccept({
    time: Date.parse(event.time) || context.now, container: subject.id, address: n.remoteAddress, port: n.localPort, protocol: n.protocol === 'udp' ? 'udp' : 'tcp',
  }, subject.model.state === 'learning' || subject.mode('listen') === 'learn');
  return counted === undefined ? undefined : { judged: false, learned: false, first: counted.first };
}
