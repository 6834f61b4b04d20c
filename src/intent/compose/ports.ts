import type { Protocol } from '../../model/index.ts';

/** A container port (or range) and, when published as one port, the host port. */
export interface PortMapping {
  port: number;
  endPort?: number;
  protocol: Protocol;
  hostPort?: number;
}

/** A parsed port, or why it is not one. */
export type PortResult = { ok: true; mapping: PortMapping } | { ok: false; reason: string };

const RANGE = /^(\d{1,5})(?:-(\d{1,5}))?$/;
const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp'];

interface Range { start: number; end: number }

function parseRange(text: string, min: number): Range | string {
  const match = RANGE.exec(text.trim());
  if (!match) return `"${text}" is not a port or a port range`;
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  if (start < min || start > 65535 || end > 65535) return `${text} is out of range (${min}-65535)`;
  if (end < start) return `range ${text} ends before it starts`;
  return { start, end };
}

function parseProtocol(text: string | undefined): Protocol | undefined {
  if (text === undefined || text === '') return 'tcp';
  return PROTOCOLS.find((p) => p === text.trim().toLowerCase());
}

function looksLikeIp(text: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) return true;
  const colons = text.split(':').length - 1;
  return /^[0-9a-fA-F:.]+$/.test(text) && (text.includes('::') ? colons <= 7 : colons === 7);
}

function mapping(container: Range, protocol: Protocol, host?: Range): PortResult {
  // Docker allows a host range for one container port (it picks one), never a container range on fewer host ports.
  if (host && host.end - host.start !== container.end - container.start && container.end !== container.start) {
    return { ok: false, reason: 'the host and container port ranges differ in length' };
  }
  const single = host !== undefined && host.start === host.end && host.start !== 0;
  return {
    ok: true,
    mapping: {
      port: container.start,
      ...(container.end !== container.start && { endPort: container.end }),
      protocol,
      ...(single && container.end === container.start && { hostPort: host.start }),
    },
  };
}

/**
 * The short syntax of `ports:` — `[[IP:]HOST:]CONTAINER[/PROTOCOL]` where HOST and
 * CONTAINER may be ranges (`"127.0.0.1:5000-5010:5000-5010"`, `"3000"`, `"53:53/udp"`).
 */
export function parsePortSpec(spec: string | number): PortResult {
  const text = String(spec).trim();
  const slash = text.lastIndexOf('/');
  const protocol = parseProtocol(slash === -1 ? undefined : text.slice(slash + 1));
  if (protocol === undefined) return { ok: false, reason: `unknown protocol "${text.slice(slash + 1)}"` };
  let rest = slash === -1 ? text : text.slice(0, slash);
  let ip: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1 || rest[close + 1] !== ':') return { ok: false, reason: `"${text}" has a malformed IPv6 address` };
    ip = rest.slice(1, close);
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(':');
  if (parts.length > 3 && ip === undefined) {
    ip = parts.slice(0, -2).join(':');
    parts.splice(0, parts.length - 2);
  } else if (parts.length === 3) {
    ip = parts.shift();
  }
  if (parts.length > 2) return { ok: false, reason: `"${text}" has too many parts` };
  if (ip !== undefined && !looksLikeIp(ip)) return { ok: false, reason: `"${ip}" is not an IP address` };
  const containerText = parts[parts.length - 1] ?? '';
  const container = parseRange(containerText, 1);
  if (typeof container === 'string') return { ok: false, reason: container };
  const hostText = parts.length === 2 ? (parts[0] ?? '') : '';
  if (hostText === '') return mapping(container, protocol);
  const host = parseRange(hostText, 0);
  if (typeof host === 'string') return { ok: false, reason: host };
  return mapping(container, protocol, host);
}

/** `expose:` items: a container port or range with an optional protocol, never a host part. */
export function parseExposeSpec(spec: string | number): PortResult {
  const text = String(spec).trim();
  if (text.includes(':')) return { ok: false, reason: `"${text}" publishes a host port, which expose cannot` };
  return parsePortSpec(text);
}

/** The long syntax of `ports:` — `{target, published, protocol, host_ip}`. */
export function parseLongPort(value: Record<string, unknown>): PortResult {
  const target = value.target;
  if (typeof target !== 'number' && typeof target !== 'string') return { ok: false, reason: 'a long-syntax port needs a target' };
  const container = parseRange(String(target), 1);
  if (typeof container === 'string') return { ok: false, reason: container };
  if (container.end !== container.start) return { ok: false, reason: 'target must be one port' };
  const protocol = parseProtocol(typeof value.protocol === 'string' ? value.protocol : undefined);
  if (protocol === undefined) return { ok: false, reason: `unknown protocol "${String(value.protocol)}"` };
  const published = value.published;
  if (published === undefined || published === null || published === '') return mapping(container, protocol);
  if (typeof published !== 'number' && typeof published !== 'string') return { ok: false, reason: 'published must be a port or a range' };
  const host = parseRange(String(published), 0);
  if (typeof host === 'string') return { ok: false, reason: host };
  return mapping(container, protocol, host);
}
