import type { Protocol } from '../../model/index.ts';
import type { SourceDocument } from '../document.ts';
import { invalid, isPresent, mapOf, nodeAt, portOf as portFrom, type Context, type Node } from '../common/value-reader.ts';

export {
  boolOf, child, intOf, invalid, isPresent, listOf, locationOf, mapOf, newContext, report, reportAt, shown, sourceOf, stringOf, stringsOf,
  type Context, type Node,
} from '../common/value-reader.ts';

export function rootOf(doc: SourceDocument): Node {
  return nodeAt('marathon', doc);
}

/** A port as Marathon takes it: 0 asks Marathon to pick one when the task starts. */
export function portOf(ctx: Context, node: Node): number | undefined {
  return portFrom(ctx, node, 0);
}

/** String values of a map (labels); other values are passed over, as Marathon only reads strings there. */
export function stringMapOf(ctx: Context, node: Node): Map<string, string> {
  const out = new Map<string, string>();
  if (!mapOf(ctx, node)) return out;
  for (const [key, value] of Object.entries(node.value as Record<string, unknown>)) {
    if (typeof value === 'string') out.set(key, value);
  }
  return out;
}

const PROTOCOLS: ReadonlySet<string> = new Set(['tcp', 'udp', 'sctp']);

/**
 * Protocols of a port: `tcp`, `udp`, or both as `udp,tcp` (apps) or a list (pod
 * endpoints). Absent means tcp; an unknown protocol is reported and read as tcp.
 */
export function protocolsOf(ctx: Context, node: Node): Protocol[] {
  if (!isPresent(node)) return ['tcp'];
  const parts = typeof node.value === 'string'
    ? node.value.split(',').map((p) => p.trim().toLowerCase())
    : Array.isArray(node.value) && node.value.every((p) => typeof p === 'string')
      ? (node.value as string[]).map((p) => p.trim().toLowerCase())
      : undefined;
  if (parts === undefined || parts.length === 0 || !parts.every((p) => PROTOCOLS.has(p))) {
    invalid(ctx, node, 'tcp, udp or both (udp,tcp)');
    return ['tcp'];
  }
  return [...new Set(parts as Protocol[])];
}
