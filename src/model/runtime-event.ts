import { z } from 'zod';

/** What was observed: the dimensions of a model, plus process exit and another tool's rule hit. */
export const RuntimeEventKind = z.enum(['exec', 'exit', 'connect', 'accept', 'listen', 'dns', 'open', 'write', 'syscall', 'capability', 'alert']);
export type RuntimeEventKind = z.infer<typeof RuntimeEventKind>;

export const EventSourceTool = z.enum(['tenet', 'falco', 'tetragon', 'tracee']);

/**
 * One normalised runtime observation, from Tenet's own sensor or converted from
 * Falco, Tetragon or Tracee output: the one shape learning and detection read.
 */
export const RuntimeEvent = z.object({
  kind: RuntimeEventKind,
  time: z.string().describe('ISO 8601, nanoseconds kept when the source has them'),
  source: EventSourceTool,
  host: z.string().optional(),
  container: z.object({
    id: z.string(),
    name: z.string().optional(),
    image: z.string().optional(),
    imageDigest: z.string().optional().describe('the repository digest, when the image came from a registry'),
    imageId: z.string().optional().describe('the image id (sha256 of its config): the id of its model'),
    pod: z.string().optional(),
    namespace: z.string().optional(),
  }).optional().describe('absent for an event of the host itself'),
  process: z.object({
    pid: z.number().int().optional(),
    ppid: z.number().int().optional(),
    path: z.string().optional(),
    name: z.string().optional(),
    argv: z.array(z.string()).optional(),
    cmdline: z.string().optional().describe('as the source printed it, when it gives no argv'),
    uid: z.number().int().optional(),
    user: z.string().optional(),
    parent: z.object({ pid: z.number().int().optional(), path: z.string().optional(), name: z.string().optional() }).optional(),
  }).optional(),
  network: z.object({
    protocol: z.enum(['tcp', 'udp', 'icmp', 'other']).optional(),
    localAddress: z.string().optional(),
    localPort: z.number().int().optional(),
    remoteAddress: z.string().optional(),
    remotePort: z.number().int().optional(),
    remoteNames: z.array(z.string()).optional()
      .describe('the DNS names the remote address was given by, to the container: the name it asked first, then the shorter forms its resolver completes to that name'),
  }).optional(),
  dns: z.object({ names: z.array(z.string()), answers: z.array(z.string()).optional() }).optional(),
  file: z.object({ path: z.string(), operation: z.string().optional() }).optional(),
  syscall: z.string().optional(),
  capability: z.string().optional(),
  denied: z.boolean().optional().describe('the kernel refused it (a capability the container lacks)'),
  alert: z.object({ rule: z.string(), priority: z.string().optional(), output: z.string().optional() }).optional()
    .describe('the rule of the tool that reported the event'),
});
export type RuntimeEvent = z.infer<typeof RuntimeEvent>;

/** An input an adapter converts, or the reason it does not. */
export type Converted = { event: RuntimeEvent } | { rejected: string };
