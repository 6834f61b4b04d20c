import { z } from 'zod';

/** Audits a user chose not to hear about, for a while and for a reason. */
export const Suppression = z.object({
  id: z.string(),
  rule: z.string().describe('the rule id, or * for every rule'),
  container: z.string().optional().describe('a container name or id (prefix); absent: every container'),
  image: z.string().optional().describe('an image reference or id (prefix); absent: every image'),
  reason: z.string().min(1),
  createdAt: z.string(),
  expiresAt: z.string().optional().describe('absent: until removed'),
});
export type Suppression = z.infer<typeof Suppression>;
