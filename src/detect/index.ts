/**
 * Detection: an event that its model does not allow, or that no model should
 * allow, becomes an audit naming the rule, the container, the evidence and the
 * model entry it lacked.
 */
import { RuntimeEventKind, type Audit, type IntelProvenance, type ModelDimension, type RuntimeEvent } from '../model/index.ts';
import { programOf, type Check, type CheckContext, type Rule, type RuleContext } from './rule.ts';
import { KNOWN_BAD_RULES, RULES } from './rules/index.ts';
import { MODEL_RULES } from './rules/model.ts';

export { RULES, KNOWN_BAD_RULES } from './rules/index.ts';
export type { Rule, RuleContext } from './rule.ts';

/** The rule of each model dimension's deviations. */
const DEVIATION_RULES = new Map<ModelDimension, Rule>(MODEL_RULES.filter((r) => r.needsModel && r.dimension !== undefined).map((r) => [r.dimension!, r]));
const RULE_BY_ID = new Map(RULES.map((r) => [r.id, r]));
/** Known-bad rules that read one event kind, with their checks of that kind side by side. */
interface KindChecks {
  rules: Rule[];
  checks: Check[];
}

const checksOf = (kind: RuntimeEventKind): KindChecks => {
  const byKind: KindChecks = { rules: [], checks: [] };
  for (const rule of KNOWN_BAD_RULES) {
    const check = rule.detect?.[kind];
    if (check === undefined) continue;
    byKind.rules.push(rule);
    byKind.checks.push(check);
  }
  return byKind;
};
const BY_KIND = Object.fromEntries(RuntimeEventKind.options.map((kind) => [kind, checksOf(kind)])) as Record<RuntimeEventKind, KindChecks>;
const { exec: EXEC, exit: EXIT, connect: CONNECT, accept: ACCEPT, listen: LISTEN, dns: DNS, open: OPEN, write: WRITE, syscall: SYSCALL, capability: CAPABILITY, alert: ALERT } = BY_KIND;

/**
 * The known-bad checks of an event's kind, for the hot path: by a switch on
 * the kind, which V8 runs faster than it reads an object or a map by a key
 * known only at run time (a syscall event is checked in a quarter less time).
 */
function knownBadOf(kind: RuntimeEventKind): KindChecks {
  switch (kind) {
    case 'syscall': return SYSCALL;
    case 'write': return WRITE;
    case 'exec': return EXEC;
    case 'connect': return CONNECT;
    case 'dns': return DNS;
    case 'open': return OPEN;
    case 'accept': return ACCEPT;
    case 'listen': return LISTEN;
    case 'exit': return EXIT;
    case 'capability': return CAPABILITY;
    case 'alert': return ALERT;
  }
}

/** What a dimension's deviation means, for the message. */
const LACKED: Readonly<Record<ModelDimension, string>> = {
  processes: 'ran a program its model does not have',
  listen: 'served a port its model does not have',
  egress: 'connected to a peer its model does not have',
  dns: 'asked DNS for a name its model does not have',
  writable: 'wrote a path its model does not allow',
  reads: 'read a sensitive path its model does not allow',
  syscalls: 'made a syscall its model does not have',
  capabilities: 'used a capability its model does not have',
};

type AuditContext = { id: string; model?: string; modelState?: string };

function containerOf(event: RuntimeEvent): Audit['container'] {
  const c = event.container;
  return {
    id: c?.id ?? 'unknown',
    ...(c?.name !== undefined && { name: c.name }),
    ...(c?.image !== undefined && { image: c.image }),
    ...(c?.imageDigest !== undefined && { imageDigest: c.imageDigest }),
    ...(c?.imageId !== undefined && { imageId: c.imageId }),
  };
}

const who = (event: RuntimeEvent) => event.container?.name ?? event.container?.id.slice(0, 12) ?? 'a container';

const technique = (id: string) => RULE_BY_ID.get(id)!.technique;

/** An audit of an event its model does not allow, by a rule, with the entry it lacked. */
function modelAudit(rule: Rule, event: RuntimeEvent, message: string, context: AuditContext, lacked: NonNullable<Audit['lacked']>): Audit {
  return {
    id: context.id,
    time: event.time,
    rule: rule.id,
    severity: rule.severity,
    technique: rule.technique,
    message,
    container: containerOf(event),
    ...(context.model !== undefined && { model: context.model }),
    ...(context.modelState !== undefined && { modelState: context.modelState }),
    lacked,
    event,
  };
}

const processOf = (event: RuntimeEvent) => event.process?.path ?? event.process?.name;

/** An event outside its active model (with `parent`: an allowed program started by a parent its model never saw start it). */
export function deviationAudit(event: RuntimeEvent, dimension: ModelDimension, entry: string, context: AuditContext, parent?: string): Audit {
  const process = processOf(event);
  if (parent !== undefined) {
    return modelAudit(RULE_BY_ID.get('unexpected-parent')!, event, `${who(event)} ran ${process ?? entry}, started by ${parent}, which its model never saw start it`, context, { dimension, entry, parent });
  }
  const message = `${who(event)} ${LACKED[dimension]}: ${entry}${process !== undefined && dimension !== 'processes' ? ` (by ${process})` : ''}`;
  return modelAudit(DEVIATION_RULES.get(dimension)!, event, message, context, { dimension, entry });
}

/** A connection from one workload to another of its application that the application's graph does not have. */
export function lateralAudit(event: RuntimeEvent, from: string, to: string, entry: string, context: AuditContext): Audit {
  const process = processOf(event);
  const message = `${who(event)} (${from}) connected to ${to} (${entry}${process !== undefined ? `, by ${process}` : ''}), which its application's graph does not connect it to`;
  return modelAudit(RULE_BY_ID.get('lateral-movement')!, event, message, context, { dimension: 'egress', entry });
}

/** Why an executed file is drift: it is not in the image, or was written after the container started. */
export type DriftReason = 'not-in-image' | 'modified-after-start';

/**
 * An exec of a file the image did not ship, or one changed since the
 * container started: drift, whatever the model's state, because a running
 * container never legitimately changes its programs.
 */
export function driftAudit(event: RuntimeEvent, reason: DriftReason, context: AuditContext): Audit {
  const path = event.process?.path ?? '?';
  return {
    id: context.id,
    time: event.time,
    rule: 'drift',
    severity: 'critical',
    technique: technique('drift'),
    message: reason === 'not-in-image'
      ? `${who(event)} ran ${path}, which is not in its image`
      : `${who(event)} ran ${path}, which was written after the container started`,
    container: containerOf(event),
    ...(context.model !== undefined && { model: context.model }),
    ...(context.modelState !== undefined && { modelState: context.modelState }),
    lacked: { dimension: 'processes', entry: path },
    event,
  };
}

/** Categories of feeds that name active attacker infrastructure, not only a bad reputation. */
const HOSTILE = /c2|command|control|botnet|malware|trojan|rat\b|miner|ransom|exploit|compromised|cobalt/i;

/**
 * A connection to a peer, or a DNS name, that a threat-intelligence feed
 * lists: reported whatever the model's state (learning included), with what
 * every feed says.
 */
export function intelAudit(event: RuntimeEvent, what: string, provenances: readonly IntelProvenance[], context: AuditContext): Audit {
  const hostile = provenances.some((p) => HOSTILE.test(`${p.category ?? ''} ${p.malware ?? ''} ${p.feed}`));
  const said = provenances.map((p) => `${p.feed}${p.category !== undefined || p.malware !== undefined ? ` (${[p.category, p.malware].filter(Boolean).join(', ')})` : ''}`);
  return {
    id: context.id,
    time: event.time,
    rule: event.kind === 'dns' ? 'threat-intel-dns' : 'threat-intel-peer',
    severity: hostile ? 'critical' : 'high',
    technique: technique(event.kind === 'dns' ? 'threat-intel-dns' : 'threat-intel-peer'),
    message: `${who(event)} ${event.kind === 'dns' ? 'asked DNS for' : 'connected to'} ${what}, listed by ${said.join('; ')}`,
    container: containerOf(event),
    ...(context.model !== undefined && { model: context.model }),
    ...(context.modelState !== undefined && { modelState: context.modelState }),
    intel: [...provenances],
    event,
  };
}

/**
 * What the checks of the event at hand share: its program, found when a check
 * first asks for it, and whether the model knows that program, asked once.
 * One, reused event after event, so that checking allocates nothing.
 */
class EventContext implements CheckContext {
  private event: RuntimeEvent | undefined;
  private context: RuleContext | undefined;
  private name: string | undefined;
  private known: boolean | undefined;

  of(event: RuntimeEvent, context: RuleContext): this {
    this.event = event;
    this.context = context;
    this.name = undefined;
    this.known = undefined;
    return this;
  }

  get program(): string {
    return (this.name ??= programOf(this.event!));
  }

  get ancestors(): readonly string[] {
    return this.context!.ancestors;
  }

  knownProcess(): boolean {
    return (this.known ??= this.context!.knownProcess());
  }
}

const EVENT_CONTEXT = new EventContext();

/** Known-bad behaviour in an event, whatever its model says: one audit per rule that fires. */
export function knownBadAudits(event: RuntimeEvent, ruleContext: RuleContext, context: () => AuditContext): readonly Audit[] {
  const { rules, checks } = knownBadOf(event.kind);
  if (checks.length === 0) return NONE;
  const shared = EVENT_CONTEXT.of(event, ruleContext);
  let audits: Audit[] | undefined;
  for (let i = 0; i < checks.length; i++) {
    const evidence = checks[i]!(event, shared);
    if (evidence === undefined) continue;
    const rule = rules[i]!;
    const c = context();
    (audits ??= []).push({
      id: c.id, time: event.time, rule: rule.id, severity: rule.severity, technique: rule.technique,
      message: `${who(event)}: ${rule.title.toLowerCase()}: ${evidence}`,
      container: containerOf(event),
      ...(c.model !== undefined && { model: c.model }),
      ...(c.modelState !== undefined && { modelState: c.modelState }),
      event,
    });
  }
  return audits ?? NONE;
}

/**
 * What most events fire: nothing (shared, so the hot path allocates nothing).
 * Read-only by its type, not frozen: V8 iterates a frozen array several times
 * slower, and every caller loops over what a check returns.
 */
const NONE: readonly Audit[] = [];
export { IncidentBuilder, INCIDENT_WINDOW_MS, PATTERNS, type Pattern } from './incidents.ts';
export { AlertGate, suppresses, type Gate } from './hygiene.ts';
