import type { MountType, StringFlag } from '../../model/index.ts';
import { formatPath, isRecord } from '../document.ts';
import { analyzeContainer, seccompOfAnnotation, type ContainerResult, type Pod, type Shared, type Volume } from './container.ts';
import {
  boolOf, child, isPresent, listOf, mapOf, report, rootOf, sourceOf, stringMapOf, stringOf, type Context, type KubeObject, type Node,
} from './node.ts';
import { WORKLOAD_TEMPLATES } from './objects.ts';

/** A workload and the models of its containers. */
export interface Workload {
  obj: KubeObject;
  /** `namespace/name`, the supermodel node. */
  nodeId: string;
  labels: ReadonlyMap<string, string>;
  containers: ContainerResult[];
  /** Named ports of all containers of the pod, for Services' named targetPorts. */
  portNames: ReadonlyMap<string, number>;
}

const VOLUME_TYPES: Readonly<Record<string, MountType>> = {
  emptyDir: 'emptyDir', hostPath: 'hostPath', configMap: 'configMap', secret: 'secret', projected: 'projected',
  persistentVolumeClaim: 'persistentVolumeClaim',
};
const ALWAYS_READ_ONLY = new Set(['configMap', 'secret', 'projected', 'downwardAPI']);

function volumeSource(ctx: Context, key: string, spec: Node, name: string): string | undefined {
  const field = { hostPath: 'path', configMap: 'name', secret: 'secretName', persistentVolumeClaim: 'claimName' }[key];
  if (field === undefined) return name;
  const node = child(spec, field);
  const value = stringOf(ctx, node);
  if (value === undefined && key === 'hostPath') report(ctx, 'TN007', `hostPath volume ${name} has no path`, spec);
  return value ?? name;
}

function readVolumes(ctx: Context, obj: KubeObject, spec: Node): Map<string, Volume> {
  const volumes = new Map<string, Volume>();
  for (const entry of listOf(ctx, child(spec, 'volumes'))) {
    if (!mapOf(ctx, entry)) continue;
    const name = stringOf(ctx, child(entry, 'name'));
    if (name === undefined || name === '') {
      report(ctx, 'TN007', 'volume has no name; ignored', entry);
      continue;
    }
    if (volumes.has(name)) continue;
    const key = Object.keys(entry.value as Record<string, unknown>).find((k) => k !== 'name') ?? 'unknown';
    const type = VOLUME_TYPES[key] ?? 'other';
    const volumeSpec = child(entry, key);
    const medium = key === 'emptyDir' ? child(volumeSpec, 'medium').value : undefined;
    const detail = medium === 'Memory' ? `emptyDir volume ${name}, in memory` : `${key} volume ${name}`;
    volumes.set(name, {
      type,
      source: volumeSource(ctx, key, volumeSpec, name),
      alwaysReadOnly: ALWAYS_READ_ONLY.has(key),
      declared: sourceOf(entry, detail),
    });
  }
  if (obj.kind === 'StatefulSet') {
    for (const claim of listOf(ctx, child(rootOf(obj), 'spec', 'volumeClaimTemplates'))) {
      const nameNode = child(claim, 'metadata', 'name');
      const name = typeof nameNode.value === 'string' ? nameNode.value : undefined;
      if (name === undefined || volumes.has(name)) continue;
      volumes.set(name, { type: 'persistentVolumeClaim', source: name, alwaysReadOnly: false, declared: sourceOf(claim, `volume claim template ${name}`) });
    }
  }
  return volumes;
}

const SECCOMP_POD = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER = 'container.seccomp.security.alpha.kubernetes.io/';

function readPod(ctx: Context, obj: KubeObject, template: Node, spec: Node): Pod {
  const annotationsNode = child(template, 'metadata', 'annotations');
  const annotations = stringMapOf(ctx, annotationsNode);
  let seccompAnnotation: StringFlag | undefined;
  const containerSeccompAnnotations = new Map<string, StringFlag>();
  for (const [key, value] of annotations) {
    const profile = seccompOfAnnotation(value);
    if (profile === undefined) continue;
    const flag = { value: profile, sources: [sourceOf(child(annotationsNode, key))] };
    if (key === SECCOMP_POD) seccompAnnotation = flag;
    else if (key.startsWith(SECCOMP_CONTAINER)) containerSeccompAnnotations.set(key.slice(SECCOMP_CONTAINER.length), flag);
  }
  const pod: Pod = {
    obj,
    securityContext: mapOf(ctx, child(spec, 'securityContext')),
    containerSeccompAnnotations,
    volumes: readVolumes(ctx, obj, spec),
    ...(seccompAnnotation && { seccompAnnotation }),
  };
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    const node = child(spec, key);
    const value = boolOf(ctx, node);
    if (value !== undefined) pod[key] = { value, sources: [sourceOf(node)] };
  }
  return pod;
}

function podTemplate(ctx: Context, obj: KubeObject): { template: Node; spec: Node } | undefined {
  const path = WORKLOAD_TEMPLATES.get(obj.kind) ?? [];
  let template = rootOf(obj);
  for (const key of path) {
    const next = child(template, key);
    if (!isRecord(next.value)) {
      report(ctx, 'TN007', `${obj.kind} ${obj.namespace}/${obj.name} has no pod template (${formatPath(path)}); not modelled`, isPresent(next) ? next : template);
      return undefined;
    }
    template = next;
  }
  const spec = child(template, 'spec');
  if (!isRecord(spec.value)) {
    report(ctx, 'TN007', `${obj.kind} ${obj.namespace}/${obj.name} has no pod spec; not modelled`, isPresent(spec) ? spec : template);
    return undefined;
  }
  return { template, spec };
}

/** One model per container (init containers and sidecars included) of a workload. */
export function analyzeWorkload(s: Shared, obj: KubeObject): Workload | undefined {
  const { ctx } = s;
  const found = podTemplate(ctx, obj);
  if (!found) return undefined;
  const { template, spec } = found;
  const pod = readPod(ctx, obj, template, spec);
  const containersNode = child(spec, 'containers');
  if (!isPresent(containersNode)) report(ctx, 'TN007', `${obj.kind} ${obj.namespace}/${obj.name} has no containers`, spec);

  const containers: ContainerResult[] = [];
  const names = new Set<string>();
  // Regular containers first, so that their port names win for Services' named targetPorts.
  for (const [key, init] of [['containers', false], ['initContainers', true]] as const) {
    const list = child(spec, key);
    for (const container of listOf(ctx, list)) {
      if (!mapOf(ctx, container)) continue;
      const nameNode = child(container, 'name');
      let name = stringOf(ctx, nameNode) ?? '';
      if (name === '' || names.has(name)) {
        const what = name === '' ? 'has no name' : `repeats the name ${JSON.stringify(name)}`;
        name = formatPath(container.path.slice(list.path.length - 1));
        report(ctx, 'TN007', `container ${what}; modelled as ${name}`, isPresent(nameNode) ? nameNode : container);
      }
      names.add(name);
      containers.push(analyzeContainer(s, pod, container, name, init));
    }
  }

  const portNames = new Map<string, number>();
  for (const c of containers) for (const [name, port] of c.portNames) if (!portNames.has(name)) portNames.set(name, port);
  const labels = stringMapOf(ctx, child(template, 'metadata', 'labels'));
  if (labels.size > 0) for (const c of containers) c.model.workload!.labels = Object.fromEntries(labels);
  return {
    obj,
    nodeId: `${obj.namespace}/${obj.name}`,
    labels,
    containers,
    portNames,
  };
}
