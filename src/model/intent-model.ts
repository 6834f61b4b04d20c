import { z } from 'zod';
import { Sources } from './source.ts';

export const ModelState = z.enum(['static', 'learning', 'active', 'archived']);
export type ModelState = z.infer<typeof ModelState>;

export const Protocol = z.enum(['tcp', 'udp', 'sctp']);
export type Protocol = z.infer<typeof Protocol>;

/** A value with the evidence for it; used for the security settings of a model. */
const flag = <T extends z.ZodType>(value: T) => z.object({ value, sources: Sources });

export const BooleanFlag = flag(z.boolean());
export type BooleanFlag = z.infer<typeof BooleanFlag>;
export const StringFlag = flag(z.string());
export type StringFlag = z.infer<typeof StringFlag>;

export const ProcessRole = z.enum(['main', 'healthcheck', 'probe', 'lifecycle', 'init', 'helper']);
export type ProcessRole = z.infer<typeof ProcessRole>;

export const ProcessEntry = z.object({
  path: z.string().describe('executable as declared (resolved through PATH once an image is read)'),
  argv: z.array(z.string()).optional(),
  sha256: z.string().optional(),
  interpreter: z.string().optional().describe('ELF program interpreter or the script\'s #! line, when an image was read'),
  user: z.string().optional(),
  role: ProcessRole.optional(),
  parents: z.array(z.string()).optional().describe('the programs seen starting it, by name (learned): once the model is active, another parent is an unexpected-parent audit'),
  sources: Sources,
});
export type ProcessEntry = z.infer<typeof ProcessEntry>;

export const ListenEntry = z.object({
  port: z.number().int().min(0).max(65535),
  endPort: z.number().int().min(0).max(65535).optional().describe('last port of a range'),
  protocol: Protocol,
  name: z.string().optional(),
  hostPort: z.number().int().min(0).max(65535).optional().describe('published on the host'),
  sources: Sources,
});
export type ListenEntry = z.infer<typeof ListenEntry>;

export const EgressEntry = z.object({
  host: z.string(),
  port: z.number().int().min(0).max(65535),
  protocol: Protocol,
  sources: Sources,
});
export type EgressEntry = z.infer<typeof EgressEntry>;

export const DnsEntry = z.object({ name: z.string(), sources: Sources });
export type DnsEntry = z.infer<typeof DnsEntry>;

export const WritableEntry = z.object({ path: z.string(), sources: Sources });
export type WritableEntry = z.infer<typeof WritableEntry>;

/** A path the container may read although it is sensitive (`/etc/shadow`, service-account tokens). */
export const ReadEntry = z.object({ path: z.string(), sources: Sources });
export type ReadEntry = z.infer<typeof ReadEntry>;

export const CapabilityEntry = z.object({ name: z.string().describe('CAP_NET_BIND_SERVICE, …'), sources: Sources });
export type CapabilityEntry = z.infer<typeof CapabilityEntry>;

export const ModelDimension = z.enum(['processes', 'listen', 'egress', 'dns', 'writable', 'reads', 'syscalls', 'capabilities']);
export type ModelDimension = z.infer<typeof ModelDimension>;

/** How a model learns: its window in observed time, and what it kept apart. */
export const Learning = z.object({
  windowSec: z.number().nonnegative(),
  observedSec: z.number().nonnegative().describe('time with at least one container of the model running'),
  startedAt: z.string(),
  activeAt: z.string().optional(),
  replicas: z.array(z.string()).describe('containers observed while learning'),
  previous: z.string().optional().describe('the model of the previous image of the same repository it started from'),
  outliers: z.array(z.object({ dimension: ModelDimension, entry: z.string(), container: z.string(), count: z.number().int() }))
    .describe('behaviour seen in one replica out of several: reported, not allowed'),
  overflow: z.array(ModelDimension).describe('dimensions that reached the size bound and stopped growing'),
  starts: z.number().int().nonnegative().optional()
    .describe('container starts the syscall sensor watched from their first call while the model learned: a seccomp profile made from it needs one'),
  completeness: z.object(Object.fromEntries(ModelDimension.options.map((d) => [d, z.number().min(0).max(1)])) as Record<ModelDimension, z.ZodNumber>)
    .optional()
    .describe('how safe each dimension is to enforce, 0 to 1: 1 once nothing new was learned for the last half of the window; 0 when it overflowed'),
  convergence: z.object({
    converged: z.boolean().describe('every dimension has been quiet long enough, after enough events'),
    by: z.enum(['convergence', 'window']).optional().describe('what ended learning: the model converged, or the window (the cap) was over'),
    events: z.number().int().nonnegative().describe('events the model learned from'),
    lastNewSec: z.partialRecord(ModelDimension, z.number().nonnegative()).describe('when each dimension last learned a new entry, in observed seconds'),
    repeatSec: z.partialRecord(ModelDimension, z.number().nonnegative()).describe('the longest a known entry of each dimension went unseen before it came again (a healthcheck\'s period, a job\'s)'),
    waiting: z.array(z.object({
      dimension: ModelDimension.optional().describe('absent: the model as a whole (too few events)'),
      quietSec: z.number().nonnegative(),
      needSec: z.number().nonnegative(),
      why: z.string(),
    })).describe('what still moves, and why: empty once converged'),
  }).optional().describe('whether learning has converged, per dimension: learning ends when it has, or when the window is over'),
});
export type Learning = z.infer<typeof Learning>;

export const MountType = z.enum([
  'volume', 'bind', 'hostPath', 'tmpfs', 'emptyDir', 'configMap', 'secret', 'projected', 'persistentVolumeClaim', 'other',
]);
export type MountType = z.infer<typeof MountType>;

export const MountEntry = z.object({
  path: z.string().describe('mount point inside the container'),
  type: MountType,
  source: z.string().optional().describe('host path, volume name or object name'),
  readOnly: z.boolean(),
  sources: Sources,
});
export type MountEntry = z.infer<typeof MountEntry>;

export const PackageEntry = z.object({
  name: z.string(),
  version: z.string(),
  manager: z.enum(['dpkg', 'apk', 'rpm']),
});
export const ExecutableEntry = z.object({
  path: z.string(),
  sha256: z.string(),
  size: z.number().int().nonnegative(),
  format: z.enum(['elf', 'script', 'other']).optional().describe('ELF by magic, script by #!'),
  interpreter: z.string().optional().describe('ELF program interpreter or #! line'),
  target: z.string().optional().describe('for a symbolic link: the executable it resolves to'),
  package: z.string().optional(),
  layer: z.string().optional().describe('diff id of the layer the file comes from'),
});
export const InventoryLayer = z.object({
  diffId: z.string(),
  createdBy: z.string().optional().describe('the build step that made the layer, from the image history'),
  executables: z.number().int().nonnegative(),
});

export const Workload = z.object({
  kind: z.string().describe('Deployment, StatefulSet, Pod…, ComposeService, MarathonApp, MarathonPod, Dockerfile'),
  namespace: z.string().optional(),
  name: z.string(),
  container: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional().describe('the labels of its pods (Kubernetes): what policies select it by'),
  sources: Sources.describe('where the workload (and its container) is declared'),
});
export type Workload = z.infer<typeof Workload>;

export const Security = z.object({
  user: StringFlag.optional().describe('user the main process runs as: name, uid or uid:gid'),
  runAsNonRoot: BooleanFlag.optional(),
  privileged: BooleanFlag.optional(),
  allowPrivilegeEscalation: BooleanFlag.optional(),
  hostNetwork: BooleanFlag.optional(),
  hostPID: BooleanFlag.optional(),
  hostIPC: BooleanFlag.optional(),
  seccompProfile: StringFlag.optional().describe('RuntimeDefault, Unconfined, Localhost/<path>, or a profile file'),
  stopSignal: StringFlag.optional(),
});
export type Security = z.infer<typeof Security>;

/** The allow-list for one image (or, before an image is read, one declared workload). */
export const IntentModel = z.object({
  apiVersion: z.literal('tenet/v1'),
  kind: z.literal('IntentModel'),
  id: z.string().describe('image digest when known, else a stable workload reference'),
  image: z.string().optional(),
  workload: Workload.optional(),
  app: z.string().optional().describe('the application the workload belongs to (namespace, compose project, Marathon group)'),
  state: ModelState,
  remainingLearningDurationSec: z.number().nonnegative().optional(),
  learning: Learning.optional(),
  processes: z.array(ProcessEntry),
  network: z.object({
    listen: z.array(ListenEntry),
    egress: z.array(EgressEntry),
    dns: z.array(DnsEntry),
  }),
  filesystem: z.object({
    readOnlyRoot: z.boolean(),
    writable: z.array(WritableEntry),
    mounts: z.array(MountEntry),
    reads: z.array(ReadEntry).optional().describe('sensitive paths the container may read'),
  }),
  syscalls: z.object({ allow: z.array(z.string()), sources: Sources }),
  capabilities: z.object({
    add: z.array(z.string()),
    drop: z.array(z.string()),
    sources: Sources,
    used: z.array(CapabilityEntry).optional().describe('capabilities the container was seen to use'),
  }),
  security: Security,
  os: z.object({ id: z.string(), version: z.string().optional(), name: z.string().optional() }).optional(),
  inventory: z.object({
    packages: z.array(PackageEntry),
    executables: z.array(ExecutableEntry),
    layers: z.array(InventoryLayer).optional(),
  }).optional(),
});
export type IntentModel = z.infer<typeof IntentModel>;

/** An empty static model for a workload, ready to be filled in by an analyser. */
export function emptyModel(id: string, fields: Pick<IntentModel, 'image' | 'workload' | 'app'> = {}): IntentModel {
  return {
    apiVersion: 'tenet/v1',
    kind: 'IntentModel',
    id,
    ...(fields.image !== undefined && { image: fields.image }),
    ...(fields.workload !== undefined && { workload: fields.workload }),
    ...(fields.app !== undefined && { app: fields.app }),
    state: 'static',
    processes: [],
    network: { listen: [], egress: [], dns: [] },
    filesystem: { readOnlyRoot: false, writable: [], mounts: [] },
    syscalls: { allow: [], sources: [] },
    capabilities: { add: [], drop: [], sources: [] },
    security: {},
  };
}
