import { z } from 'zod';
import { Severity } from './finding.ts';
import { ModelDimension } from './intent-model.ts';

/**
 * Audits of one container told as one attack story, with the pattern they
 * match: audits join it by what links them (the same process tree, the same
 * peer or name, a file written then run), so another chain on the same
 * container is another incident.
 */
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
    message: z.string().describe('the first audit\'s message'),
    count: z.number().int().positive(),
    distinct: z.number().int().positive().optional().describe('how many distinct values (ports, names, files, syscalls) the folded audits had, when more than one'),
    values: z.array(z.string()).optional().describe('those values, the first 20'),
    summary: z.string().optional().describe('the folded audits in a phrase: 109 ports of 10.0.0.5 in 2 s'),
  })).describe('one line per kind of thing done: audits of one rule by one program on one peer, folder or name are one line'),
  count: z.number().int().positive().describe('audits in all, repeats included'),
  techniques: z.array(z.object({ id: z.string(), name: z.string() })).optional().describe('the MITRE ATT&CK techniques of its audits, in the order they came'),
  model: z.string().optional().describe('id of the model its audits were checked against'),
  lacked: z.array(z.object({ dimension: ModelDimension, entry: z.string() })).optional().describe('the model entries its audits lacked, the first 20'),
  mergedInto: z.string().optional().describe('this incident turned out to be part of that one (a link found later): a store removes it, its audits are in the other'),
});
export type Incident = z.infer<typeof Incident>;
