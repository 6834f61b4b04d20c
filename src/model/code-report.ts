import { z } from 'zod';
import { Source } from './source.ts';

/** What the code of one Node.js app says, beside the model it went into. */
export const CodeReport = z.object({
  dir: z.string().describe('the app folder'),
  model: z.string().describe('id of the model the code intent merged into'),
  node: z.string().describe('Node.js version of the syscall map used'),
  entries: z.array(z.object({ path: z.string(), source: Source })).describe('files the app starts from'),
  files: z.number().int().nonnegative().describe('modules reachable from the entries, parsed'),
  apis: z.array(z.object({
    api: z.string(),
    file: z.string(),
    line: z.number().int().positive(),
    syscalls: z.array(z.string()),
    widened: z.boolean().optional().describe('reached only by a widening, not by the code itself'),
  })).describe('each Node.js API of the syscall map the app reaches, at its first use (in the code when it uses it), with what it adds over the baseline'),
  widened: z.array(z.object({
    reason: z.enum(['native-addon', 'computed-module', 'unknown-module']),
    file: z.string(),
    line: z.number().int().positive(),
    detail: z.string(),
    adds: z.array(z.string()).describe('the syscalls this widening alone adds to what the code itself needs'),
  })).describe('code Tenet cannot read, for which the syscall set was widened'),
  reads: z.array(z.object({ path: z.string(), file: z.string(), line: z.number().int().positive() })).describe('absolute paths read, from literal arguments'),
  spawns: z.boolean().describe('whether the app starts processes; when not, its profile denies process creation'),
});
export type CodeReport = z.infer<typeof CodeReport>;
