import { z } from 'zod';
import { Severity } from './finding.ts';

/** Audits of one container told as one attack story, with the pattern they match. */
export const Incident = z.object({
  id: z.string(),
  pattern: z.string().describe('the attack pattern: reverse-shell, crypto-mining, exploit-to-execution, …'),
  title: z.string(),
  severity: Severity,
  container: z.object({ id: z.string(), name: z.string().optional(), image: z.string().optional(), imageId: z.string().optional(), namespace: z.string().optional(), pod: z.string().optional() }),
  firstSeen: z.string(),
  lastSeen: z.string(),
  /** Every audit it holds: identical ones once, with how many times they came. */
  timeline: z.array(z.object({
    audit: z.string().describe('id of the first such audit'),
    time: z.string(),
    lastTime: z.string(),
    rule: z.string(),
    severity: Severity,
    message: z.string(),
    count: z.number().int().positive(),
  })),
  count: z.number().int().positive().describe('audits in all, repeats included'),
});
export type Incident = z.infer<typeof Incident>;
