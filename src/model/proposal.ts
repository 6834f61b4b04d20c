import { z } from 'zod';
import { ModelDimension } from './intent-model.ts';
import { RuntimeEvent } from './runtime-event.ts';

/**
 * A model found too tight, and the entry that would mend it: a deviation every
 * running replica of an active model made, with no other signal (no known-bad
 * rule, no threat intelligence, no incident), proposed with its evidence for
 * someone to accept or reject (or accepted by a policy).
 */
export const Proposal = z.object({
  id: z.string(),
  model: z.string(),
  dimension: ModelDimension,
  entry: z.string(),
  parent: z.string().optional().describe('for a program started by a parent the model never saw start it: that parent'),
  state: z.enum(['open', 'accepted', 'rejected']),
  why: z.string().describe('why it is proposed, in a sentence'),
  evidence: z.object({
    count: z.number().int().positive().describe('audits of it'),
    containers: z.array(z.string()).describe('the containers that did it: every running replica of the model'),
    firstSeen: z.string(),
    lastSeen: z.string(),
    audits: z.array(z.string()).describe('ids of its first audits, at most 5'),
    blocked: z.number().int().nonnegative().describe('times prevent stopped it: what the model broke'),
    event: RuntimeEvent.describe('the first event: what accepting it learns'),
  }),
  decided: z.object({ at: z.string(), by: z.string() }).optional().describe('who accepted or rejected it, and when (by `policy` when a policy accepted it)'),
});
export type Proposal = z.infer<typeof Proposal>;
