import { isRecord, type PathSegment, type SourceDocument } from '../document.ts';
import { child, locationOf, report, rootOf, type Context, type KubeObject } from './node.ts';

/** Kinds that run pods, with the path of their pod template (the spec's parent). */
export const WORKLOAD_TEMPLATES: ReadonlyMap<string, readonly PathSegment[]> = new Map([
  ['Pod', []],
  ['Deployment', ['spec', 'template']],
  ['StatefulSet', ['spec', 'template']],
  ['DaemonSet', ['spec', 'template']],
  ['ReplicaSet', ['spec', 'template']],
  ['ReplicationController', ['spec', 'template']],
  ['Job', ['spec', 'template']],
  ['CronJob', ['spec', 'jobTemplate', 'spec', 'template']],
]);

// Kinds the analyser reads; a second definition of one of them is reported and ignored.
const USED_KINDS = new Set([...WORKLOAD_TEMPLATES.keys(), 'Service', 'ConfigMap', 'NetworkPolicy']);

function isListKind(value: Record<string, unknown>): boolean {
  return typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items);
}

/** Whether a parsed document is a Kubernetes object, or a `List` of them. */
export function isKubernetesObject(value: unknown): boolean {
  if (!isRecord(value)) return false;
  return (typeof value.apiVersion === 'string' && typeof value.kind === 'string') || isListKind(value);
}

// A List's items keep their `items[i]` paths, so that every source still finds its line.
function expand(doc: SourceDocument, value: unknown, base: PathSegment[], out: Array<{ doc: SourceDocument; base: PathSegment[]; value: Record<string, unknown> }>): void {
  if (!isKubernetesObject(value) || !isRecord(value)) return;
  if (isListKind(value)) {
    (value.items as unknown[]).forEach((item, i) => expand(doc, item, [...base, 'items', i], out));
    return;
  }
  out.push({ doc, base, value });
}

/**
 * The objects the analyser uses, in input order: duplicates (same kind, namespace
 * and name) are reported with TN010 and dropped; objects without a name, with TN007.
 */
export function collectObjects(ctx: Context, docs: readonly SourceDocument[]): KubeObject[] {
  const raw: Array<{ doc: SourceDocument; base: PathSegment[]; value: Record<string, unknown> }> = [];
  for (const doc of docs) expand(doc, doc.value, [], raw);
  const objects: KubeObject[] = [];
  const first = new Map<string, KubeObject>();
  for (const { doc, base, value } of raw) {
    const kind = String(value.kind);
    if (!USED_KINDS.has(kind)) continue;
    const draft: KubeObject = { doc, base, value, kind, namespace: 'default', name: '' };
    const root = rootOf(draft);
    const metadata = child(root, 'metadata');
    const meta = isRecord(metadata.value) ? metadata.value : {};
    const name = typeof meta.name === 'string' && meta.name !== '' ? meta.name
      : typeof meta.generateName === 'string' && meta.generateName !== '' ? meta.generateName : undefined;
    if (name === undefined) {
      report(ctx, 'TN007', `${kind} has no metadata.name; not modelled`, isRecord(metadata.value) ? metadata : root);
      continue;
    }
    draft.name = name;
    const namespace = child(metadata, 'namespace');
    if (typeof namespace.value === 'string' && namespace.value !== '') draft.namespace = namespace.value;
    else if (namespace.value !== undefined && namespace.value !== null) {
      report(ctx, 'TN007', `metadata.namespace must be a string; namespace default assumed`, namespace);
    }
    const key = `${kind}\0${draft.namespace}\0${name}`;
    const earlier = first.get(key);
    if (earlier) {
      const at = locationOf(child(rootOf(earlier), 'metadata', 'name'));
      report(ctx, 'TN010', `${kind} ${draft.namespace}/${name} is defined again (first at ${at.file}:${at.line}); the first definition is modelled`, child(metadata, 'name'));
      continue;
    }
    first.set(key, draft);
    objects.push(draft);
  }
  return objects;
}
