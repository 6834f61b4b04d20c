/**
 * Detection: an event that its model does not allow, or that no model should
 * allow, becomes an audit naming the rule, the container, the evidence and the
 * model entry it lacked.
 */
export { RULES, KNOWN_BAD_RULES } from './rules/index.ts';
export type { Rule, RuleContext } from './rule.ts';
export { deviationAudit, driftAudit, intelAudit, lateralAudit, type AuditContext, type DriftReason } from './audits.ts';
export { KnownBad } from './known-bad.ts';
export { judge, type Decision, type FlowJudge, type IntelLookup, type JudgeContext, type JudgedModel, type Judgement, type Subject } from './judge.ts';
export { IncidentBuilder, INCIDENT_WINDOW_MS, LINK_MS, PATTERNS, type Pattern } from './incidents.ts';
export { AlertGate, suppresses, type Gate } from './hygiene.ts';
export { whatIf, type Blocked } from './what-if.ts';
export { Healer, type HealPolicy } from './healing.ts';
