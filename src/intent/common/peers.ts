import type { Source } from '../../model/index.ts';

/** An environment variable as declared, with where it was declared. */
export interface EnvVar {
  name: string;
  value: string;
  source: Source;
}

/** A peer a workload says it talks to, read from its environment or arguments. */
export interface PeerReference {
  host: string;
  /** Undefined when only a host is named (`DB_HOST=mysql`); the resolver picks the peer's port. */
  port?: number;
  scheme?: string;
  /** The variables (or argument) the reference was read from. */
  via: string[];
  sources: Source[];
}

/** Default ports of URL schemes seen in service configuration. */
const SCHEME_PORTS: Record<string, number> = {
  http: 80, https: 443, ws: 80, wss: 443, grpc: 80, grpcs: 443, ftp: 21, ssh: 22,
  redis: 6379, rediss: 6379, postgres: 5432, postgresql: 5432, mysql: 3306, mariadb: 3306,
  mongodb: 27017, amqp: 5672, amqps: 5671, nats: 4222, kafka: 9092, memcached: 11211,
  ldap: 389, ldaps: 636, smtp: 25, smtps: 465, mqtt: 1883, zookeeper: 2181, jdbc: 0,
};

const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const HOSTNAME = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);
const HOST_PORT = new RegExp(`^(${HOST_LABEL}(?:\\.${HOST_LABEL})*):(\\d{1,5})$`);
const URL_LIKE = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^/:?#,]+)(?::(\d{1,5}))?/i;

/** Names that say "this variable holds a peer's host". */
const HOST_SUFFIXES = ['_SERVICE_HOST', '_HOSTNAME', '_HOST', '_ADDR', '_ADDRESS', '_SERVER', '_SERVICE', '_URL', '_URI', '_ENDPOINT'];
const PORT_SUFFIXES = ['_SERVICE_PORT', '_PORT'];

const SELF = new Set(['localhost', '0.0.0.0', '127.0.0.1', '::', '::1']);

function validPort(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port > 0 && port <= 65535 ? port : undefined;
}

function looksLikeHost(host: string): boolean {
  return HOSTNAME.test(host) && !/^\d+$/.test(host) && !SELF.has(host.toLowerCase());
}

function prefixOf(name: string, suffixes: readonly string[]): string | undefined {
  const upper = name.toUpperCase();
  const suffix = suffixes.find((s) => upper.endsWith(s));
  return suffix === undefined ? undefined : upper.slice(0, -suffix.length);
}

/** References in one value: `host:port`, URLs, and comma-separated lists of either. */
export function referencesInValue(value: string): Array<{ host: string; port?: number; scheme?: string }> {
  const out: Array<{ host: string; port?: number; scheme?: string }> = [];
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const url = URL_LIKE.exec(part);
    if (url) {
      const scheme = (url[1] ?? '').toLowerCase().replace(/^jdbc:/, '');
      const host = (url[2] ?? '').replace(/^\[|\]$/g, '');
      const port = validPort(url[3]) ?? (SCHEME_PORTS[scheme] || undefined);
      if (looksLikeHost(host)) out.push({ host, scheme, ...(port !== undefined && { port }) });
      continue;
    }
    const hostPort = HOST_PORT.exec(part);
    const port = validPort(hostPort?.[2]);
    if (hostPort && port !== undefined && looksLikeHost(hostPort[1] ?? '')) out.push({ host: hostPort[1] ?? '', port });
  }
  return out;
}

/**
 * The peers an environment names: `host:port` values, URLs, and `X_HOST` (or
 * `_ADDR`, `_SERVER` …) paired with `X_PORT`. A bare host in a host-named variable
 * is a reference without a port.
 */
export function peerReferences(env: readonly EnvVar[]): PeerReference[] {
  const refs: PeerReference[] = [];
  const ports = new Map<string, EnvVar>();
  for (const v of env) {
    const prefix = prefixOf(v.name, PORT_SUFFIXES);
    if (prefix !== undefined && validPort(v.value.trim()) !== undefined) ports.set(prefix, v);
  }
  for (const v of env) {
    const value = v.value.trim();
    const found = referencesInValue(value);
    if (found.length > 0) {
      for (const r of found) refs.push({ ...r, via: [v.name], sources: [v.source] });
      continue;
    }
    const prefix = prefixOf(v.name, HOST_SUFFIXES);
    if (prefix === undefined || !looksLikeHost(value)) continue;
    const portVar = ports.get(prefix);
    const port = validPort(portVar?.value.trim());
    refs.push({
      host: value,
      ...(port !== undefined && { port }),
      via: portVar ? [v.name, portVar.name] : [v.name],
      sources: portVar ? [v.source, portVar.source] : [v.source],
    });
  }
  return refs;
}

/**
 * References in command-line arguments, restricted to hosts the caller knows
 * (`--redis=cache:6379`, `-addr http://api:8080`), since free text is too loose.
 */
export function peerReferencesInArgs(args: readonly string[], knownHosts: ReadonlySet<string>, source: Source): PeerReference[] {
  const refs: PeerReference[] = [];
  for (const arg of args) {
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : arg;
    for (const r of referencesInValue(value)) {
      if (knownHosts.has(r.host.split('.')[0] ?? r.host)) refs.push({ ...r, via: [arg], sources: [source] });
    }
  }
  return refs;
}

/** True for a short name that can only mean a peer inside the same application. */
export function isInternalName(host: string): boolean {
  return !host.includes('.') || /\.(svc|cluster\.local|marathon\.mesos|mesos)$/.test(host);
}
