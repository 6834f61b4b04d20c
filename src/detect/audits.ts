import type { Audit, IntelProvenance, ModelDimension, RuntimeEvent } from '../model/index.ts';
import type { Rule } from './rule.ts';
import { RULES } from './rules/index.ts';
import { MODEL_RULES } from './rules/model.ts';

/** The rule of each model dimension's deviations. */
const DEVIATION_RULES: ReadonlyMap<ModelDimension, Rule> = new Map(MODEL_RULES.filter((r) => r.needsModel && r.dimension !== undefined).map((r) => [r.dimension!, r]));
const RULE_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.id, r]));
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

/** What an audit says of its model, and its id. */
export type AuditContext = { id: string; model?: string; modelState?: string };

export function containerOf(event: RuntimeEvent): Audit['container'] {
  const c = event.container;
  return {
    id: c?.id ?? 'unknown',
    ...(c?.name !== undefined && { name: c.name }),
    ...(c?.image !== undefined && { image: c.image }),
    ...(c?.imageDigest !== undefined && { imageDigest: c.imageDigest }),
    ...(c?.imageId !== undefined && { imageId: c.imageId }),
    ...(c?.namespace !== undefined && { namespace: c.namespace }),
    ...(c?.pod !== undefined && { pod: c.pod }),
  };
}

export const who = (event: RuntimeEvent) => event.container?.name ?? event.container?.id.slice(0, 12) ?? 'a container';

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
  const message = `${who(event)} ${LACKED[dimension]}: ${written(event, dimension) ?? entry}${process !== undefined && dimension !== 'processes' ? ` (by ${process})` : ''}`;
  return modelAudit(DEVIATION_RULES.get(dimension)!, event, message, context, { dimension, entry });
}

/** The path as the event has it (`/tmp/upload-7f3a9c.tmp`), for a message: the entry the model lacked may be its generalised form (`/tmp/*`). */
function written(event: RuntimeEvent, dimension: ModelDimension): string | undefined {
  if (dimension === 'writable' || dimension === 'reads') return event.file?.path;
  return dimension === 'processes' ? event.process?.path : undefined;
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

