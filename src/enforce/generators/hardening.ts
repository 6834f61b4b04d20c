import type { IntentModel } from '../../model/index.ts';
import { kubernetesName } from './seccomp.ts';
import { neededCapabilities, targetOf, writablePaths } from './target.ts';

/** Whether the model's user is known and is not root. */
function nonRoot(model: IntentModel): boolean | undefined {
  const user = model.security.user?.value;
  if (user === undefined) return undefined;
  const name = user.split(':')[0]!;
  return name !== 'root' && name !== '0';
}

/**
 * The folders a read-only root needs writable: the model's writable folders,
 * and the folder of each writable file, less those already on a mount.
 */
function scratchFolders(model: IntentModel): string[] {
  const writable = writablePaths(model);
  const mounted = model.filesystem.mounts.map((m) => m.path.replace(/\/+$/, ''));
  const inside = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
  const folders = [...writable.folders, ...writable.files.map((f) => f.slice(0, f.lastIndexOf('/')) || '/')]
    .filter((f) => f !== '/' && !mounted.some((m) => inside(f, m)));
  const unique = [...new Set(folders)].sort();
  return unique.filter((f) => !unique.some((o) => o !== f && inside(f, o)));
}

export interface Hardening {
  readOnlyRoot: boolean;
  /** Folders given a fresh, empty, writable mount (emptyDir, tmpfs) so the root can be read-only. */
  scratch: string[];
  capabilities: string[];
  nonRoot: boolean | undefined;
  notes: string[];
}

/** What the model allows tightening: a read-only root with scratch folders, every capability dropped but those it needs, no privilege escalation. */
export function hardeningOf(model: IntentModel): Hardening {
  const notes: string[] = [];
  const writable = writablePaths(model);
  const scratch = writable.any ? [] : scratchFolders(model);
  if (writable.any) notes.push('the model writes anywhere: the root filesystem stays writable');
  else if (scratch.length > 0) notes.push(`${scratch.join(', ')} become empty writable folders: what the image has there is hidden`);
  const root = nonRoot(model);
  if (root === false) notes.push(`runs as ${model.security.user!.value}: runAsNonRoot left out`);
  if (root === undefined) notes.push('its user is not known: runAsNonRoot left out');
  if (model.security.privileged?.value === true) notes.push('declared privileged: that is kept off here, and the workload may need it back');
  return { readOnlyRoot: !writable.any, scratch, capabilities: neededCapabilities(model), nonRoot: root, notes: notes.map((n) => `${model.id} ${n}`) };
}

const volumeName = (folder: string) => kubernetesName(`tenet${folder.replace(/\//g, '-')}`);

/** A strategic-merge patch for a Kubernetes workload's container (`kubectl patch --type strategic --patch-file`). */
export function securityContextPatch(model: IntentModel): { patch: Record<string, unknown> | undefined; notes: string[] } {
  const w = model.workload;
  if (w === undefined || w.container === undefined || ['Dockerfile', 'ComposeService', 'MarathonApp', 'MarathonPod'].includes(w.kind)) {
    return { patch: undefined, notes: [`${model.id}: not a Kubernetes workload's container (use composepatch)`] };
  }
  const h = hardeningOf(model);
  const target = targetOf(model);
  const securityContext = {
    readOnlyRootFilesystem: h.readOnlyRoot,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ['ALL'], ...(h.capabilities.length > 0 && { add: h.capabilities }) },
    ...(h.nonRoot === true && { runAsNonRoot: true }),
    seccompProfile: model.syscalls.allow.length > 0
      ? { type: 'Localhost', localhostProfile: `operator/${target.namespace ?? 'default'}/${kubernetesName(w.name)}.json` }
      : { type: 'RuntimeDefault' },
  };
  const mounts = h.scratch.map((folder) => ({ name: volumeName(folder), mountPath: folder }));
  const podSpec = {
    containers: [{ name: w.container, securityContext, ...(mounts.length > 0 && { volumeMounts: mounts }) }],
    ...(mounts.length > 0 && { volumes: mounts.map((m) => ({ name: m.name, emptyDir: {} })) }),
  };
  const template = { template: { spec: podSpec } };
  const patch = {
    apiVersion: w.kind === 'Pod' ? 'v1' : w.kind === 'CronJob' || w.kind === 'Job' ? 'batch/v1' : 'apps/v1',
    kind: w.kind,
    metadata: { name: w.name, ...(w.namespace !== undefined && { namespace: w.namespace }), annotations: { 'tenet.dev/model': model.id } },
    spec: w.kind === 'Pod' ? podSpec : w.kind === 'CronJob' ? { jobTemplate: { spec: template } } : template,
  };
  return { patch, notes: h.notes };
}

/** The service of a compose override file (`docker compose -f compose.yaml -f hardening.yaml up`). */
export function composePatch(model: IntentModel): { service: string; patch: Record<string, unknown>; notes: string[] } {
  const h = hardeningOf(model);
  const service = model.workload?.kind === 'ComposeService' ? model.workload.name : targetOf(model).name;
  return {
    service,
    patch: {
      read_only: h.readOnlyRoot,
      ...(h.scratch.length > 0 && { tmpfs: h.scratch }),
      cap_drop: ['ALL'],
      ...(h.capabilities.length > 0 && { cap_add: h.capabilities }),
      security_opt: ['no-new-privileges:true'],
      privileged: false,
    },
    notes: h.notes,
  };
}
