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
/** `scheme://[user@]host[:port]`, the scheme possibly nested (`jdbc:mysql://`). */
const URL_LIKE = /^([a-z][a-z0-9+.-]*(?::[a-z][a-z0-9+.-]*)?):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^/:?#,]+)(?::(\d{1,5}))?/i;

/** Names that say "this variable holds a peer's host". */
const HOST_SUFFIXES = ['_SERVICE_HOST', '_HOSTNAME', '_HOST', '_ADDR', '_ADDRESS', '_SERVER', '_SERVICE', '_URL', '_URI', '_ENDPOINT'];
const PORT_SUFFIXES = ['_SERVICE_PORT', '_PORT'];

const SELF = new Set(['localhost', '0.0.0.0', '127.0.0.1', '::', '::1']);
/** A name only a cluster's own DNS answers: a Kubernetes Service's, a Mesos-DNS task's. */
const CLUSTER_NAME = /\.(svc|svc\.cluster\.local|marathon\.mesos|marathon\.l4lb\.thisdcos\.directory)$/i;

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
  // `name=url` members (etcd's `--initial-cluster=a=http://a:2380,b=…`) name the URL
  for (const part of value.split(',').map((p) => p.trim().replace(/^[\w.-]+=(?=[a-z][a-z0-9+.-]*:\/\/)/i, '')).filter(Boolean)) {
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
    if (!looksLikeHost(value)) continue;
    // a name only a cluster's DNS answers (`zipkin.jaeger.svc.cluster.local`) is a peer, whatever the variable is called
    if (prefix === undefined) {
      if (CLUSTER_NAME.test(value)) refs.push({ host: value, via: [v.name], sources: [v.source] });
      continue;
    }
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

/** Flags whose value is the container's own address (what it listens on, or tells others to reach it at), never a peer. */
const OWN_ADDRESS_FLAG = /^--?[\w-]*(advertise|listen|bind)[\w-]*$/i;

/** Clients whose `-h HOST` (or `--host HOST`) names their server, and the port they reach it on by default. */
const CLIENTS: ReadonlyMap<string, { port: number; hostFlags: readonly string[]; portFlags: readonly string[] }> = new Map([
  ['redis-cli', { port: 6379, hostFlags: ['-h'], portFlags: ['-p'] }],
  ['mysql', { port: 3306, hostFlags: ['-h', '--host'], portFlags: ['-P', '--port'] }],
  ['mysqladmin', { port: 3306, hostFlags: ['-h', '--host'], portFlags: ['-P', '--port'] }],
  ['mysqldump', { port: 3306, hostFlags: ['-h', '--host'], portFlags: ['-P', '--port'] }],
  ['mariadb', { port: 3306, hostFlags: ['-h', '--host'], portFlags: ['-P', '--port'] }],
  ['psql', { port: 5432, hostFlags: ['-h', '--host'], portFlags: ['-p', '--port'] }],
  ['pg_isready', { port: 5432, hostFlags: ['-h', '--host'], portFlags: ['-p', '--port'] }],
  ['pg_dump', { port: 5432, hostFlags: ['-h', '--host'], portFlags: ['-p', '--port'] }],
  ['mongo', { port: 27017, hostFlags: ['--host'], portFlags: ['--port'] }],
  ['mongosh', { port: 27017, hostFlags: ['--host'], portFlags: ['--port'] }],
]);

/**
 * References in command-line arguments: URLs (`zk://zk-1:2181/mesos`,
 * `-addr http://api:8080`) wherever they are, `host:port` values only for
 * hosts the caller knows (free text is too loose), and the server of a
 * well-known client (`redis-cli -h cache`). A flag's value that is the
 * container's own address (`--advertise-addr`, `--listen-client-urls`,
 * `--bind`) is no peer.
 */
export function peerReferencesInArgs(args: readonly string[], knownHosts: ReadonlySet<string>, source: Source): PeerReference[] {
  const refs: PeerReference[] = [];
  const client = CLIENTS.get(args[0]?.slice(args[0].lastIndexOf('/') + 1) ?? '');
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('-') ? (eq > 0 ? arg.slice(0, eq) : arg) : undefined;
    if (flag !== undefined && OWN_ADDRESS_FLAG.test(flag)) {
      // `--advertise-addr host:port` gives its value as the next word
      if (eq < 0) i++;
      continue;
    }
    if (client !== undefined && flag !== undefined && eq < 0 && client.hostFlags.includes(flag)) {
      const host = args[i + 1];
      if (host !== undefined && looksLikeHost(host)) {
        const portAt = args.findIndex((a, j) => j > 0 && client.portFlags.includes(a));
        const port = validPort(portAt > 0 ? args[portAt + 1] : undefined) ?? client.port;
        refs.push({ host, port, via: [`${args[0]} ${arg} ${host}`], sources: [source] });
      }
      i++;
      continue;
    }
    const value = eq > 0 && flag !== undefined ? arg.slice(eq + 1) : arg;
    for (const r of referencesInValue(value)) {
      if (r.scheme !== undefined || knownHosts.has(r.host.split('.')[0] ?? r.host)) refs.push({ ...r, via: [arg], sources: [source] });
    }
  }
  return refs;
}

/** True for a short name that can only mean a peer inside the same application. */
export function isInternalName(host: string): boolean {
  return !host.includes('.') || /\.(svc|cluster\.local|marathon\.mesos|mesos)$/.test(host);
}
