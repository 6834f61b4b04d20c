/**
 * Detection: an event that its model does not allow, or that no model should
 * allow, becomes an audit naming the rule, the container, the evidence and the
 * model entry it lacked.
 */
import type { Audit, IntelProvenance, ModelDimension, RuntimeEvent, Severity } from '../model/index.ts';

/** The rule a deviation in each dimension breaks, and how serious it is. */
export const DEVIATION_RULES: Readonly<Record<ModelDimension, { rule: string; severity: Severity; what: string }>> = {
  processes: { rule: 'unexpected-process', severity: 'high', what: 'ran a program its model does not have' },
  listen: { rule: 'unexpected-listen', severity: 'medium', what: 'served a port its model does not have' },
  egress: { rule: 'unexpected-egress', severity: 'high', what: 'connected to a peer its model does not have' },
  dns: { rule: 'unexpected-dns', severity: 'medium', what: 'asked DNS for a name its model does not have' },
  writable: { rule: 'unexpected-write', severity: 'medium', what: 'wrote a path its model does not allow' },
  reads: { rule: 'sensitive-read', severity: 'high', what: 'read a sensitive path its model does not allow' },
  syscalls: { rule: 'unexpected-syscall', severity: 'medium', what: 'made a syscall its model does not have' },
  capabilities: { rule: 'unexpected-capability', severity: 'medium', what: 'used a capability its model does not have' },
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

/** An event outside its active model. */
export function deviationAudit(event: RuntimeEvent, dimension: ModelDimension, entry: string, context: AuditContext): Audit {
  const rule = DEVIATION_RULES[dimension];
  const process = event.process?.path ?? event.process?.name;
  return {
    id: context.id,
    time: event.time,
    rule: rule.rule,
    severity: rule.severity,
    message: `${who(event)} ${rule.what}: ${entry}${process !== undefined && dimension !== 'processes' ? ` (by ${process})` : ''}`,
    container: containerOf(event),
    ...(context.model !== undefined && { model: context.model }),
    ...(context.modelState !== undefined && { modelState: context.modelState }),
    lacked: { dimension, entry },
    event,
  };
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
    message: `${who(event)} ${event.kind === 'dns' ? 'asked DNS for' : 'connected to'} ${what}, listed by ${said.join('; ')}`,
    container: containerOf(event),
    ...(context.model !== undefined && { model: context.model }),
    ...(context.modelState !== undefined && { modelState: context.modelState }),
    intel: [...provenances],
    event,
  };
}
