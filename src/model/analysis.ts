import { z } from 'zod';
import { Finding } from './finding.ts';
import { IntentModel } from './intent-model.ts';
import { Supermodel } from './supermodel.ts';

/** What `tenet analyze --format json` prints. */
export const Analysis = z.object({
  models: z.array(IntentModel),
  supermodels: z.array(Supermodel),
  findings: z.array(Finding),
});
export type Analysis = z.infer<typeof Analysis>;
