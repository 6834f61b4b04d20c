import { z } from 'zod';

/** Why an entry is allowed: the kind of evidence behind it. */
export const SourceKind = z.enum(['declared', 'image', 'code', 'knowledge', 'learned']);
export type SourceKind = z.infer<typeof SourceKind>;

/** The input formats Tenet reads declared intent from. */
export const InputFormat = z.enum(['dockerfile', 'kubernetes', 'compose', 'marathon']);
export type InputFormat = z.infer<typeof InputFormat>;

/**
 * The provenance of one model entry. `declared` sources point at a file, a line and,
 * for YAML/JSON, the path of the value (`spec.template.spec.containers[0].ports[0]`);
 * for a Dockerfile, the instruction as written.
 */
export const Source = z.object({
  kind: SourceKind,
  format: InputFormat.optional(),
  file: z.string().optional(),
  line: z.number().int().positive().optional(),
  path: z.string().optional().describe('YAML/JSON path of the value inside the file'),
  instruction: z.string().optional().describe('Dockerfile instruction, as written'),
  detail: z.string().optional().describe('one sentence on how the entry follows from the evidence'),
  reference: z.string().optional().describe('for knowledge: where the fact is documented'),
  layer: z.string().optional().describe('image layer digest'),
  sha256: z.string().optional(),
  firstSeen: z.string().optional(),
  lastSeen: z.string().optional(),
  count: z.number().int().nonnegative().optional(),
  containers: z.array(z.string()).optional(),
});
export type Source = z.infer<typeof Source>;

export const Sources = z.array(Source);
