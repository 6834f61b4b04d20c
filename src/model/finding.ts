import { z } from 'zod';

export const Severity = z.enum(['info', 'low', 'medium', 'high', 'critical']);
export type Severity = z.infer<typeof Severity>;

/** Severities from least to most serious; the index is the rank. */
export const SEVERITIES: readonly Severity[] = Severity.options;

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export const Location = z.object({
  file: z.string(),
  line: z.number().int().positive(),
  column: z.number().int().positive().optional(),
  path: z.string().optional().describe('YAML/JSON path, or the Dockerfile instruction'),
});
export type Location = z.infer<typeof Location>;

/** Something worth telling about an input: bad input, or risky intent. */
export const Finding = z.object({
  code: z.string().regex(/^TN\d{3}$/),
  severity: Severity,
  message: z.string(),
  location: Location,
  model: z.string().optional().describe('id of the model the finding is about'),
});
export type Finding = z.infer<typeof Finding>;
