import type { Protocol } from '../../model/index.ts';
import type { PathSegment, SourceDocument } from '../document.ts';
import { invalid, isPresent, mapOf, nodeAt, portOf, report, type Context, type Node } from '../common/value-reader.ts';

export {
  boolOf, child, intOf, invalid, isPresent, listOf, locationOf, mapOf, newContext, portOf, report, reportAt, shown, sourceOf, stringOf, stringsOf,
  type Context, type Node,
} from '../common/value-reader.ts';

/** One Kubernetes object; inside a `List` its base path is `items[i]`. */
export interface KubeObject {
  doc: SourceDocument;
  base: PathSegment[];
  value: Record<string, unknown>;
  kind: string;
  namespace: string;
  name: string;
}

export function rootOf(obj: KubeObject): Node {
  return nodeAt('kubernetes', obj.doc, obj.base, obj.value);
}

/** A map of strings (labels, selectors, ConfigMap data); scalar values are read as text. */
export function stringMapOf(ctx: Context, node: Node): Map<string, string> {
  const out = new Map<string, string>();
  if (!mapOf(ctx, node)) return out;
  for (const [key, value] of Object.entries(node.value as Record<string, unknown>)) {
    if (typeof value === 'string') out.set(key, value);
    else if (typeof value === 'number' || typeof value === 'boolean') out.set(key, String(value));
    else if (value === null) out.set(key, '');
  }
  return out;
}

/** `TCP`, `UDP`, `SCTP` (any case) as a model protocol; absent is undefined, anything else is reported. */
export function protocolOf(ctx: Context, node: Node): Protocol | undefined {
  if (!isPresent(node)) return undefined;
  const v = typeof node.value === 'string' ? node.value.toLowerCase() : undefined;
  if (v === 'tcp' || v === 'udp' || v === 'sctp') return v;
  invalid(ctx, node, 'TCP, UDP or SCTP');
  return undefined;
}

/**
 * A port given as a number or as the name of a container port (probes, a Service's
 * targetPort). A quoted number is reported, since the API reads it as a name, and used.
 */
export function namedPortOf(ctx: Context, node: Node, names: ReadonlyMap<string, number> | undefined): number | undefined {
  const v = node.value;
  if (typeof v !== 'string') return portOf(ctx, node);
  if (/^\d+$/.test(v)) {
    invalid(ctx, node, 'a number (a quoted number is read as a port name)');
    const port = Number(v);
    return port >= 1 && port <= 65535 ? port : undefined;
  }
  if (names === undefined) return undefined;
  const port = names.get(v);
  if (port === undefined) report(ctx, 'TN007', `port ${JSON.stringify(v)} names no port of the container; ignored`, node);
  return port;
}
