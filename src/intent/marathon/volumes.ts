import type { IntentModel, MountType, Source } from '../../model/index.ts';
import { addMount } from '../common/model-builder.ts';
import { boolOf, child, isPresent, listOf, mapOf, report, sourceOf, stringOf, type Context, type Node } from './node.ts';

/** Where Mesos mounts the task sandbox inside a container with an image. */
export const SANDBOX = '/mnt/mesos/sandbox';

/**
 * A container path as the task sees it: a relative one lies in the sandbox, which
 * is `/mnt/mesos/sandbox` inside an image and `$MESOS_SANDBOX` (a per-task agent
 * directory) without one.
 */
export function inSandbox(path: string, hasImage: boolean): string {
  if (path.startsWith('/')) return path;
  return `${hasImage ? SANDBOX : '$MESOS_SANDBOX'}/${path.replace(/^\.\//, '')}`;
}

/** Names of an app's or pod's `secrets` and the store paths they refer to. */
export function readSecrets(ctx: Context, node: Node): Map<string, string> {
  const out = new Map<string, string>();
  if (!mapOf(ctx, node)) return out;
  for (const name of Object.keys(node.value as Record<string, unknown>)) {
    const source = child(node, name, 'source').value;
    if (typeof source === 'string') out.set(name, source);
  }
  return out;
}

function readOnlyOf(ctx: Context, mode: Node): boolean {
  const value = stringOf(ctx, mode);
  if (value === undefined) return false;
  if (value.toUpperCase() !== 'RO' && value.toUpperCase() !== 'RW') {
    report(ctx, 'TN007', `mode must be RO or RW, not ${JSON.stringify(value)}; read as RW`, mode);
    return false;
  }
  return value.toUpperCase() === 'RO';
}

/**
 * The `container.volumes` of an app as mounts: host paths (absolute on the agent, or
 * relative to the sandbox, or naming a persistent volume of the app), local
 * persistent volumes, external volumes (DVDI, CSI) and secret files.
 */
export function applyAppVolumes(ctx: Context, model: IntentModel, volumes: Node, hasImage: boolean, secrets: ReadonlyMap<string, string>): void {
  const items = listOf(ctx, volumes).filter((v) => mapOf(ctx, v) !== undefined);
  const persistent = new Set(items.filter((v) => isPresent(child(v, 'persistent'))).map((v) => child(v, 'containerPath').value));
  for (const volume of items) {
    const containerPath = stringOf(ctx, child(volume, 'containerPath'));
    if (containerPath === undefined || containerPath === '') {
      report(ctx, 'TN007', 'volume has no containerPath; ignored', volume);
      continue;
    }
    const path = inSandbox(containerPath, hasImage);
    const readOnly = readOnlyOf(ctx, child(volume, 'mode'));
    const sources: Source[] = [sourceOf(volume)];
    const hostPath = stringOf(ctx, child(volume, 'hostPath'));
    const secret = stringOf(ctx, child(volume, 'secret'));
    let type: MountType;
    let source: string | undefined;
    if (hostPath !== undefined && hostPath !== '') {
      if (hostPath.startsWith('/')) [type, source] = ['hostPath', hostPath];
      else if (persistent.has(hostPath)) [type, source] = ['volume', hostPath];
      else [type, source] = ['bind', `$MESOS_SANDBOX/${hostPath.replace(/^\.\//, '')}`];
    } else if (isPresent(child(volume, 'persistent'))) {
      [type, source] = ['volume', containerPath];
    } else if (mapOf(ctx, child(volume, 'external'))) {
      const name = stringOf(ctx, child(volume, 'external', 'name'));
      [type, source] = ['volume', name];
    } else if (secret !== undefined && secret !== '') {
      addMount(model, { path, type: 'secret', source: secrets.get(secret) ?? secret, readOnly: true, sources });
      continue;
    } else {
      report(ctx, 'TN007', `volume ${containerPath} needs a hostPath, persistent, external or secret; ignored`, volume);
      continue;
    }
    addMount(model, { path, type, ...(source !== undefined && source !== '' && { source }), readOnly, sources });
  }
}

/** A pod-level volume, mounted into containers by name. */
export interface PodVolume {
  type: MountType;
  source?: string;
  alwaysReadOnly: boolean;
  node: Node;
}

/** The `volumes` of a pod by name: host paths, ephemeral, persistent and secret volumes. */
export function readPodVolumes(ctx: Context, volumes: Node, secrets: ReadonlyMap<string, string>): Map<string, PodVolume> {
  const out = new Map<string, PodVolume>();
  for (const volume of listOf(ctx, volumes)) {
    if (!mapOf(ctx, volume)) continue;
    const name = stringOf(ctx, child(volume, 'name'));
    if (name === undefined || name === '') {
      report(ctx, 'TN007', 'pod volume has no name; ignored', volume);
      continue;
    }
    const host = stringOf(ctx, child(volume, 'host'));
    const secret = stringOf(ctx, child(volume, 'secret'));
    let entry: PodVolume;
    if (host !== undefined && host !== '') {
      entry = host.startsWith('/')
        ? { type: 'hostPath', source: host, alwaysReadOnly: false, node: volume }
        : { type: 'bind', source: `$MESOS_SANDBOX/${host.replace(/^\.\//, '')}`, alwaysReadOnly: false, node: volume };
    } else if (isPresent(child(volume, 'persistent'))) {
      entry = { type: 'volume', source: name, alwaysReadOnly: false, node: volume };
    } else if (secret !== undefined && secret !== '') {
      entry = { type: 'secret', source: secrets.get(secret) ?? secret, alwaysReadOnly: true, node: volume };
    } else {
      entry = { type: 'emptyDir', alwaysReadOnly: false, node: volume };
    }
    if (!out.has(name)) out.set(name, entry);
  }
  return out;
}

/** The `volumeMounts` of a pod container, against the pod's volumes. */
export function applyVolumeMounts(ctx: Context, model: IntentModel, mounts: Node, volumes: ReadonlyMap<string, PodVolume>, hasImage: boolean): void {
  for (const mount of listOf(ctx, mounts)) {
    if (!mapOf(ctx, mount)) continue;
    const nameNode = child(mount, 'name');
    const name = stringOf(ctx, nameNode);
    const mountPath = stringOf(ctx, child(mount, 'mountPath'));
    if (name === undefined || mountPath === undefined || mountPath === '') {
      report(ctx, 'TN007', 'volumeMount needs a name and a mountPath; ignored', mount);
      continue;
    }
    const volume = volumes.get(name);
    if (!volume) {
      report(ctx, 'TN007', `volumeMount ${mountPath} refers to volume ${JSON.stringify(name)}, which the pod does not define; ignored`, nameNode);
      continue;
    }
    addMount(model, {
      path: inSandbox(mountPath, hasImage),
      type: volume.type,
      ...(volume.source !== undefined && { source: volume.source }),
      readOnly: volume.alwaysReadOnly || boolOf(ctx, child(mount, 'readOnly')) === true,
      sources: [sourceOf(mount), sourceOf(volume.node)],
    });
  }
}
