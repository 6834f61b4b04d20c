import { z } from 'zod';
import { CodeReport } from './code-report.ts';
import { Finding } from './finding.ts';
import { IntentModel } from './intent-model.ts';
import { Supermodel } from './supermodel.ts';

/** What `tenet analyze --format json` prints. */
export const Analysis = z.object({
  models: z.array(IntentModel),
  supermodels: z.array(Supermodel),
  findings: z.array(Finding),
  apps: z.array(CodeReport).optional().describe('Node.js apps whose code was analysed'),
});
export type Analysis = z.infer<typeof Analysis>;
