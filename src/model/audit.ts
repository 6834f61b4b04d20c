import { z } from 'zod';
import { Severity } from './finding.ts';
import { ModelDimension } from './intent-model.ts';
import { IntelProvenance } from './intel.ts';
import { RuntimeEvent } from './runtime-event.ts';

/** One deviation of an event from its model, or a known-bad behaviour. */
export const Audit = z.object({
  id: z.string(),
  time: z.string(),
  rule: z.string().describe('stable rule id: drift, unexpected-process, unexpected-egress, …'),
  severity: Severity,
  technique: z.object({ id: z.string(), name: z.string() }).optional().describe('MITRE ATT&CK'),
  message: z.string(),
  container: z.object({
    id: z.string(), name: z.string().optional(), image: z.string().optional(), imageDigest: z.string().optional(), imageId: z.string().optional(),
    /** The Kubernetes namespace and pod of a container of a pod. */
    namespace: z.string().optional(), pod: z.string().optional(),
  }),
  model: z.string().optional().describe('id of the model the event was checked against'),
  modelState: z.string().optional(),
  lacked: z.object({
    dimension: ModelDimension,
    entry: z.string(),
    parent: z.string().optional().describe('for an unexpected parent: the parent the entry lacked'),
  }).optional().describe('the model entry that would have allowed the event'),
  intel: z.array(IntelProvenance).optional().describe('what threat-intelligence feeds say of the peer or name'),
  action: z.object({
    taken: z.enum(['process-killed', 'connection-dropped', 'write-refused', 'container-stopped']),
    detail: z.string().optional(),
  }).optional().describe('what Tenet did about it, in prevent or block mode (absent: reported only)'),
  event: RuntimeEvent.describe('the evidence'),
  folded: z.object({
    count: z.number().int().positive(),
    first: z.string(),
    last: z.string(),
    values: z.array(z.string()).describe('the distinct entries the audits lacked (or their messages), at most 20'),
    more: z.number().int().nonnegative().optional().describe('distinct values past those listed'),
  }).optional().describe('audits of the rule and container past the rate limit, folded into this one: the event is the first of them'),
});
export type Audit = z.infer<typeof Audit>;
