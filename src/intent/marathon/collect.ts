import { isRecord, type SourceDocument } from '../document.ts';
import { isGroupDefinition, isPodDefinition } from './detect.ts';
import { child, invalid, isPresent, listOf, locationOf, mapOf, report, reportAt, rootOf, stringOf, type Context, type Node } from './node.ts';
import { canonicalPath, invalidSegments, parentOf } from './paths.ts';

/** A dependency id, made absolute, with where it was declared. */
export interface Dependency {
  id: string;
  node: Node;
  /** The group that declares it, for a group's `dependencies`. */
  group?: string;
}

/** One app or pod of the input, its id made absolute as Marathon does. */
export interface RunSpec {
  kind: 'app' | 'pod';
  id: string;
  /** The group the app belongs to: the parent of its id. */
  group: string;
  node: Node;
  idNode: Node;
  /** `dependencies` of the enclosing groups, which hold for every app inside them. */
  groupDependencies: Dependency[];
}

/** Dependencies of a group (`group` set) or an app, resolved against `base`. */
export function readDependencies(ctx: Context, node: Node, base: string, group?: string): Dependency[] {
  const out: Dependency[] = [];
  for (const item of listOf(ctx, node)) {
    const id = stringOf(ctx, item);
    if (id === undefined) continue;
    if (id.trim() === '') {
      report(ctx, 'TN007', 'a dependency must be an app or group id, not an empty string; ignored', item);
      continue;
    }
    out.push({ id: canonicalPath(id.trim(), base), node: item, ...(group !== undefined && { group }) });
  }
  return out;
}

function addSpec(ctx: Context, out: RunSpec[], kind: RunSpec['kind'], node: Node, base: string, groupDependencies: Dependency[], inGroup: boolean): void {
  if (!mapOf(ctx, node)) return;
  const idNode = child(node, 'id');
  const raw = stringOf(ctx, idNode);
  if (raw === undefined || raw.trim() === '') {
    // A non-string id was reported by stringOf already.
    if (!isPresent(idNode) || raw !== undefined) report(ctx, 'TN007', `${kind === 'app' ? 'An app' : 'A pod'}${inGroup ? ' inside a group' : ''} has no id; skipped`, node);
    return;
  }
  const id = canonicalPath(raw.trim(), base);
  if (id === '/') {
    report(ctx, 'TN007', `${kind} id ${JSON.stringify(raw)} names the root group, not an ${kind}; skipped`, idNode);
    return;
  }
  const bad = invalidSegments(id);
  if (bad.length > 0) {
    report(ctx, 'TN007', `${kind} id ${id} has names Marathon refuses (${bad.join(', ')}): only a-z, 0-9, '-' and '.' are allowed`, idNode);
  }
  out.push({ kind, id, group: parentOf(id), node, idNode, groupDependencies });
}

function addGroup(ctx: Context, out: RunSpec[], node: Node, parent: string | undefined, inherited: Dependency[], depth: number): void {
  if (!mapOf(ctx, node)) return;
  if (depth > 64) {
    report(ctx, 'TN007', 'groups are nested more than 64 deep; the deeper ones are ignored', node);
    return;
  }
  const idNode = child(node, 'id');
  const raw = stringOf(ctx, idNode)?.trim();
  if (parent !== undefined && (raw === '' || !isPresent(idNode))) {
    report(ctx, 'TN007', 'a nested group has no id; its apps are read as part of the enclosing group', node);
  }
  const id = raw === undefined || raw === '' ? parent ?? '/' : canonicalPath(raw, parent ?? '/');
  const dependencies = [...inherited, ...readDependencies(ctx, child(node, 'dependencies'), id, id)];
  for (const app of listOf(ctx, child(node, 'apps'))) addSpec(ctx, out, 'app', app, id, dependencies, true);
  for (const pod of listOf(ctx, child(node, 'pods'))) addSpec(ctx, out, 'pod', pod, id, dependencies, true);
  for (const group of listOf(ctx, child(node, 'groups'))) addGroup(ctx, out, group, id, dependencies, depth + 1);
}

function collectDocument(ctx: Context, out: RunSpec[], doc: SourceDocument): void {
  const root = rootOf(doc);
  const value = doc.value;
  if (Array.isArray(value)) {
    for (const item of listOf(ctx, root)) {
      if (!isRecord(item.value)) invalid(ctx, item, 'an app, pod or group definition');
      else if (isGroupDefinition(item.value)) addGroup(ctx, out, item, undefined, [], 0);
      else addSpec(ctx, out, isPodDefinition(item.value) ? 'pod' : 'app', item, '/', [], false);
    }
  } else if (isGroupDefinition(value)) {
    addGroup(ctx, out, root, undefined, [], 0);
  } else if (isPodDefinition(value)) {
    addSpec(ctx, out, 'pod', root, '/', [], false);
  } else if (isRecord(value) && Object.keys(value).length === 1 && isRecord(value.app)) {
    addSpec(ctx, out, 'app', child(root, 'app'), '/', [], false);
  } else {
    addSpec(ctx, out, 'app', root, '/', [], false);
  }
}

/**
 * Every app and pod of the documents, with absolute ids; an id defined twice is
 * reported and only its first definition is kept.
 */
export function collectRunSpecs(ctx: Context, docs: readonly SourceDocument[]): RunSpec[] {
  const all: RunSpec[] = [];
  for (const doc of docs) collectDocument(ctx, all, doc);
  const first = new Map<string, RunSpec>();
  const out: RunSpec[] = [];
  for (const spec of all) {
    const key = `${spec.kind} ${spec.id}`;
    const earlier = first.get(key);
    if (earlier) {
      const at = locationOf(earlier.node);
      const where = at.file === spec.node.doc.file ? `line ${at.line}` : `${at.file}:${at.line}`;
      reportAt(ctx, 'TN010', `${spec.kind} ${spec.id} is also defined at ${where}; the first definition is modelled`, locationOf(spec.idNode));
      continue;
    }
    first.set(key, spec);
    out.push(spec);
  }
  return out;
}
