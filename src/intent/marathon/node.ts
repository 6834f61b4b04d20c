import type { Protocol } from '../../model/index.ts';
import type { SourceDocument } from '../document.ts';
import { fieldName, invalid, isPresent, mapOf, nodeAt, portOf as portFrom, report, type Context, type Node } from '../common/value-reader.ts';

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
/** Protocols over TCP a pod endpoint may name instead of `tcp` (Marathon's own examples say `["http"]`). */
const OVER_TCP: ReadonlySet<string> = new Set(['http', 'https', 'http2', 'h2', 'h2c', 'grpc', 'ws', 'wss']);

/**
 * Protocols of a port: `tcp`, `udp`, or both as `udp,tcp` (apps) or a list (pod
 * endpoints, where a protocol over TCP such as `http` means tcp). Absent means
 * tcp; a value that is no protocol is reported by name and read as tcp.
 */
export function protocolsOf(ctx: Context, node: Node): Protocol[] {
  if (!isPresent(node)) return ['tcp'];
  const parts = typeof node.value === 'string' ? node.value.split(',')
    : Array.isArray(node.value) && node.value.every((p) => typeof p === 'string') ? node.value as string[]
    : undefined;
  if (parts === undefined) {
    invalid(ctx, node, 'tcp, udp or both (`udp,tcp`, or a list of them)');
    return ['tcp'];
  }
  const protocols = new Set<Protocol>();
  for (const raw of parts) {
    const part = raw.trim().toLowerCase();
    if (PROTOCOLS.has(part)) protocols.add(part as Protocol);
    else if (OVER_TCP.has(part)) protocols.add('tcp');
    else report(ctx, 'TN007', `${fieldName(node)} names ${JSON.stringify(raw)}, which is neither tcp nor udp (nor a protocol over tcp: ${[...OVER_TCP].join(', ')}); read as tcp`, node);
  }
  if (protocols.size === 0) protocols.add('tcp');
  return [...protocols];
}
