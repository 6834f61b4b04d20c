import { ipFamily, ipv4Number } from '../intel/index.ts';
import type { EdgeState, OutsideFlow, Protocol, Supermodel, SupermodelEdge, SupermodelNode } from '../model/index.ts';
import { append } from '../append.ts';

/** A container as the graph knows it: the workload it is, and the addresses it had, over time (ms since the epoch). */
export interface Endpoint {
  container: string;
  /** The workload: `project/service` (compose), `network/name` (plain Docker), `namespace/name` (Kubernetes). */
  node: string;
  /** The application the workload belongs to. */
  app: string;
  model?: string;
  addresses: ReadonlyArray<{ address: string; from: number; to?: number }>;
  /** Its ports published on the host: a connection to the host on `hostPort` reaches it on `port`. */
  published?: ReadonlyArray<{ hostPort: number; port: number; protocol: Protocol }>;
}

/** One connection a container made. */
export interface Flow {
  time: number;
  container: string;
  address: string;
  port: number;
  protocol: Protocol;
  /** The DNS name the container asked for just before, when it did. */
  name?: string;
}

/** An endpoint with the number of its workload. */
type Known = Endpoint & { index: number };

interface Seen {
  count: number;
  first: number;
  last: number;
}

const PRIVATE_V4: ReadonlyArray<[number, number]> = [
  ['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['127.0.0.0', 8], ['169.254.0.0', 16], ['100.64.0.0', 10],
].map(([a, bits]) => [ipv4Number(a as string), bits as number]);

/** Whether an address is not on the internet: private, loopback, link-local, shared (IPv4) or unique-local and link-local (IPv6). */
export function isPrivateAddress(address: string): boolean {
  const family = ipFamily(address);
  if (family === 4) {
    const n = ipv4Number(address);
    return PRIVATE_V4.some(([net, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(net / 2 ** (32 - bits)));
  }
  if (family === 6) {
    const a = address.toLowerCase();
    return a === '::1' || /^f[cd]/.test(a) || /^fe[89ab]/.test(a);
  }
  return false;
}

/**
 * The learned graph of every application: connections resolved, by the
 * address they went to at the time they were made, to the workload that had
 * it; aggregated into edges (with counts and first and last times) between
 * the workloads of one application, and into traffic to outside it (another
 * application, the host, a private address nobody here has, the internet).
 * Merged with the declared graphs, each edge says whether it was declared,
 * learned (while its client's model learned), both, or is anomalous (observed
 * outside the graph). Pure and incremental: flows come one at a time.
 */
export class FlowGraph {
  private readonly endpoints = new Map<string, Known>();
  /** Workloads by number: edges are keyed by numbers, so a flow makes no string. */
  private readonly nodes = new Map<string, number>();
  /** Who had each address, and when; most addresses had one owner. */
  private readonly owners = new Map<string, Array<{ endpoint: Known; from: number; to: number }>>();
  /** Edges by client and server workload (numbers), then by port and protocol; `accepted`: counted by its server alone (its client reached it through an address no workload has). */
  private readonly edges = new Map<number, Map<number, Seen & { from: Known; to: Known; port: number; protocol: Protocol; accepted?: boolean }>>();
  /** Traffic outside, by address, then by client workload, port and protocol. */
  private readonly outside = new Map<string, Map<number, Seen & { from: Known; flow: Flow; class: OutsideFlow['class']; node?: string; learning: boolean }>>();
  private readonly hosts: Set<string>;
  /** The graph: edges learned while their client's model learned (and given), by pair of workloads, then port and protocol. */
  private readonly allowed = new Map<number, Set<number>>();
  /** Edges counted by their server alone while its model learned: shown as learned, never what a connection is judged by. */
  private readonly served = new Map<number, Set<number>>();
  /** Edges outside the graph whose connections prevent dropped, as `edgeKey`s. */
  private readonly blocked = new Set<string>();
  /** Published ports by host port and protocol: the container that has each, and its port. */
  private readonly published = new Map<string, { endpoint: Known; port: number }>();
  /** Flows from containers the graph does not know. */
  unattributed = 0;

  /** `hosts`: addresses of the host itself (the gateways of its container networks). */
  constructor(hosts: Iterable<string> = []) {
    this.hosts = new Set(hosts);
  }

  /** A connection between two workloads was dropped (prevent): its edge is blocked. */
  block(from: string, to: string, port: number, protocol: Protocol): void {
    this.blocked.add(edgeKey({ from, to, targetPort: port, protocol }));
  }

  /** An address of the host itself. */
  addHost(address: string): void {
    this.hosts.add(address);
  }

  /** An edge of the application's graph, learned before (a restart) or declared. */
  allow(edge: Pick<SupermodelEdge, 'from' | 'to' | 'targetPort' | 'protocol'>): void {
    this.permit(this.indexOf(edge.from) * MAX_NODES + this.indexOf(edge.to), edge.targetPort * 4 + PROTOCOLS.indexOf(edge.protocol));
  }

  private permit(pair: number, key: number, into = this.allowed): void {
    let ports = into.get(pair);
    if (ports === undefined) into.set(pair, ports = new Set());
    ports.add(key);
  }

  private indexOf(node: string): number {
    let index = this.nodes.get(node);
    if (index === undefined) this.nodes.set(node, index = this.nodes.size);
    return index;
  }

  addEndpoint(endpoint: Endpoint): void {
    const known = { ...endpoint, index: this.indexOf(endpoint.node) };
    this.endpoints.set(endpoint.container, known);
    for (const p of endpoint.published ?? []) this.published.set(`${p.hostPort}/${p.protocol}`, { endpoint: known, port: p.port });
    for (const a of endpoint.addresses) {
      const list = this.owners.get(a.address) ?? [];
      // connections to the address since its last owner left are this workload's: a container is reachable a moment before it counts as started
      const free = Math.max(-Infinity, ...list.filter((o) => o.to <= a.from).map((o) => o.to));
      list.push({ endpoint: known, from: a.from, to: a.to ?? Infinity });
      this.owners.set(a.address, list);
      this.claim(known, a.address, free, a.to ?? Infinity);
    }
  }

  /** Connections to an address counted as outside before the workload that had it was known are that workload's. */
  private claim(to: Known, address: string, from: number, until: number): void {
    const byClient = this.outside.get(address);
    if (byClient === undefined) return;
    for (const [key, o] of byClient) {
      if (o.flow.time <= from || o.flow.time > until || o.from.app !== to.app || o.from.index === to.index) continue;
      byClient.delete(key);
      const pair = o.from.index * MAX_NODES + to.index;
      const portKey = o.flow.port * 4 + PROTOCOLS.indexOf(o.flow.protocol);
      if (o.learning) this.permit(pair, portKey);
      let byPort = this.edges.get(pair);
      if (byPort === undefined) this.edges.set(pair, byPort = new Map());
      const seen = byPort.get(portKey);
      if (seen === undefined) byPort.set(portKey, { from: o.from, to, port: o.flow.port, protocol: o.flow.protocol, count: o.count, first: o.first, last: o.last });
      else {
        seen.count += o.count;
        seen.first = Math.min(seen.first, o.first);
        seen.last = Math.max(seen.last, o.last);
      }
    }
    if (byClient.size === 0) this.outside.delete(address);
  }

  /**
   * Where a container may connect by its application's graph, now: the
   * current addresses of the workloads its workload's edges reach, on the
   * edges' ports (a prevent table holds addresses, and servers change them
   * when they restart).
   */
  peersOf(container: string): Array<{ host: string; port: number; protocol: Protocol }> {
    const from = this.endpoints.get(container);
    if (from === undefined) return [];
    const found = new Map<string, { host: string; port: number; protocol: Protocol }>();
    for (const to of this.endpoints.values()) {
      const ports = this.allowed.get(from.index * MAX_NODES + to.index);
      if (ports === undefined || to.index === from.index) continue;
      const current = to.addresses.filter((a) => this.owners.get(a.address)?.some((o) => o.endpoint === to && o.to === Infinity));
      for (const key of ports) {
        const port = Math.floor(key / 4);
        const protocol = PROTOCOLS[key % 4]!;
        for (const a of current) found.set(`${protocol}/${a.address}:${port}`, { host: a.address, port, protocol });
      }
    }
    return [...found.values()].sort((a, b) => byText(a.host, b.host) || a.port - b.port);
  }

  /** A container stopped at `time`: the addresses it had are its until then. */
  leave(container: string, time: number): void {
    for (const list of this.owners.values()) for (const o of list) if (o.endpoint.container === container && o.to === Infinity) o.to = time;
    for (const [key, p] of this.published) if (p.endpoint.container === container) this.published.delete(key);
  }

  /** The workload that had an address at a time. */
  private ownerOf(address: string, time: number): Known | undefined {
    const list = this.owners.get(address);
    if (list === undefined) return undefined;
    if (list.length === 1) return list[0]!.from <= time && time <= list[0]!.to ? list[0]!.endpoint : undefined;
    return list.find((o) => o.from <= time && time <= o.to)?.endpoint;
  }

  /**
   * Counts a connection. One to another workload of the application is
   * judged against the graph (`learning`: the client's model learns, so the
   * edge joins the graph); undefined for anything else.
   */
  addFlow(flow: Flow, learning = false): { from: string; to: string; inside: boolean; first: boolean } | undefined {
    const from = this.endpoints.get(flow.container);
    if (from === undefined) {
      this.unattributed++;
      return undefined;
    }
    // to the host, on a port a container publishes: to that container
    if (this.hosts.has(flow.address) && this.published.size > 0) {
      const via = this.published.get(`${flow.port}/${flow.protocol}`);
      const address = via?.endpoint.addresses.find((a) => a.to === undefined)?.address;
      if (via !== undefined && address !== undefined) flow = { ...flow, address, port: via.port };
    }
    const to = this.ownerOf(flow.address, flow.time);
    const proto = PROTOCOLS.indexOf(flow.protocol);
    if (to !== undefined && to.app === from.app) {
      if (to.index === from.index) return undefined;
      const pair = from.index * MAX_NODES + to.index;
      const key = flow.port * 4 + proto;
      if (learning) this.permit(pair, key);
      let byPort = this.edges.get(pair);
      if (byPort === undefined) this.edges.set(pair, byPort = new Map());
      const seen = byPort.get(key);
      if (seen === undefined) byPort.set(key, { from, to, port: flow.port, protocol: flow.protocol, count: 1, first: flow.time, last: flow.time });
      else {
        // the client's side counts the edge from now on
        if (seen.accepted === true) seen.accepted = false;
        see(seen, flow.time);
      }
      return { from: from.node, to: to.node, inside: this.allowed.get(pair)?.has(key) === true, first: seen === undefined };
    }
    // the container itself; Docker's own DNS server answers on 127.0.0.11
    if (flow.address !== DOCKER_DNS && (flow.address.startsWith('127.') || flow.address === '::1')) return undefined;
    let byClient = this.outside.get(flow.address);
    if (byClient === undefined) this.outside.set(flow.address, byClient = new Map());
    const key = (from.index * 65536 + flow.port) * 4 + proto;
    const seen = byClient.get(key);
    if (seen !== undefined) {
      see(seen, flow.time);
      if (flow.name !== undefined) seen.flow = flow;
      return undefined;
    }
    const kind: OutsideFlow['class'] = to !== undefined ? 'other-app' : this.hosts.has(flow.address) || flow.address === DOCKER_DNS ? 'host' : isPrivateAddress(flow.address) ? 'private' : 'internet';
    byClient.set(key, { from, flow, class: kind, ...(to !== undefined && { node: to.node }), count: 1, first: flow.time, last: flow.time, learning });
    return undefined;
  }

  /**
   * Counts a connection from its server's side: the client, by the address it
   * came from at the time, joined to the server on the port it serves. A
   * client that reached it through an address no workload has (a Service's
   * ClusterIP) is joined to it this way alone; an edge its client's side
   * counts is not counted twice. `learning`: the server's model learns.
   * Undefined for a client outside the application, or unknown.
   */
  addAccept(flow: Flow, learning = false): { first: boolean } | undefined {
    const to = this.endpoints.get(flow.container);
    const from = to === undefined ? undefined : this.ownerOf(flow.address, flow.time);
    if (to === undefined || from === undefined || from.app !== to.app || from.index === to.index) return undefined;
    const pair = from.index * MAX_NODES + to.index;
    const key = flow.port * 4 + PROTOCOLS.indexOf(flow.protocol);
    let byPort = this.edges.get(pair);
    if (byPort === undefined) this.edges.set(pair, byPort = new Map());
    const seen = byPort.get(key);
    if (seen === undefined) byPort.set(key, { from, to, port: flow.port, protocol: flow.protocol, count: 1, first: flow.time, last: flow.time, accepted: true });
    else if (seen.accepted === true) see(seen, flow.time);
    if (learning && (seen === undefined || seen.accepted === true)) this.permit(pair, key, this.served);
    return { first: seen === undefined };
  }

  /**
   * The learned supermodels: every application with a container, its
   * workloads, its edges (learned while their client's model learned, or
   * anomalous: outside the graph) and its traffic outside.
   */
  supermodels(): Supermodel[] {
    const iso = (ms: number) => new Date(ms).toISOString();
    const apps = new Map<string, { nodes: Map<string, SupermodelNode>; edges: SupermodelEdge[]; outside: OutsideFlow[] }>();
    const app = (name: string) => {
      let found = apps.get(name);
      if (found === undefined) apps.set(name, found = { nodes: new Map(), edges: [], outside: [] });
      return found;
    };
    for (const e of this.endpoints.values()) {
      const node = app(e.app).nodes.get(e.node) ?? { id: e.node, models: [] };
      if (e.model !== undefined && !node.models.includes(e.model)) node.models.push(e.model);
      app(e.app).nodes.set(e.node, node);
    }
    for (const seen of [...this.edges.values()].flatMap((m) => [...m.values()])) {
      const pair = seen.from.index * MAX_NODES + seen.to.index;
      const key = seen.port * 4 + PROTOCOLS.indexOf(seen.protocol);
      const inGraph = this.allowed.get(pair)?.has(key) === true || (seen.accepted === true && this.served.get(pair)?.has(key) === true);
      const times = { firstSeen: iso(seen.first), lastSeen: iso(seen.last) };
      app(seen.from.app).edges.push({
        from: seen.from.node, to: seen.to.node, port: seen.port, targetPort: seen.port, protocol: seen.protocol,
        sources: [{ kind: 'learned', ...times }], count: seen.count, ...times,
        state: inGraph ? 'learned' : this.blocked.has(edgeKey({ from: seen.from.node, to: seen.to.node, targetPort: seen.port, protocol: seen.protocol })) ? 'blocked' : 'anomalous',
      });
    }
    for (const o of [...this.outside.values()].flatMap((m) => [...m.values()])) {
      app(o.from.app).outside.push({
        from: o.from.node, address: o.flow.address, port: o.flow.port, protocol: o.flow.protocol, class: o.class,
        ...(o.node !== undefined && { node: o.node }), ...(o.flow.name !== undefined && { name: o.flow.name }),
        count: o.count, firstSeen: iso(o.first), lastSeen: iso(o.last),
      });
    }
    return [...apps].sort(([a], [b]) => byText(a, b)).map(([name, a]) => supermodel(name, [...a.nodes.values()], a.edges, a.outside));
  }
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function supermodel(app: string, nodes: SupermodelNode[], edges: SupermodelEdge[], outside: OutsideFlow[] = []): Supermodel {
  return {
    apiVersion: 'tenet/v1',
    kind: 'Supermodel',
    app,
    nodes: nodes.sort((x, y) => byText(x.id, y.id)),
    edges: edges.sort((x, y) => byText(x.from, y.from) || byText(x.to, y.to) || x.port - y.port || x.targetPort - y.targetPort),
    ...(outside.length > 0 && { outside: outside.sort((x, y) => byText(x.from, y.from) || byText(x.address, y.address) || x.port - y.port) }),
  };
}

/**
 * Learned graphs joined to declared ones, application by application: an
 * edge on the same client, server, container port and protocol is one edge
 * with the sources of both (`both`); a declared edge never observed stays
 * `declared`; a learned one keeps its state. Nodes are joined by id.
 */
export function joinSupermodels(learned: readonly Supermodel[], declared: readonly Supermodel[]): Supermodel[] {
  const apps = new Map<string, { nodes: Map<string, SupermodelNode>; edges: Map<string, SupermodelEdge>; outside: OutsideFlow[] }>();
  const app = (name: string) => {
    let found = apps.get(name);
    if (found === undefined) apps.set(name, found = { nodes: new Map(), edges: new Map(), outside: [] });
    return found;
  };
  for (const s of declared) {
    const a = app(s.app);
    for (const n of s.nodes) a.nodes.set(n.id, { ...n, models: [...n.models] });
    for (const e of s.edges) a.edges.set(edgeKey(e), { ...e, sources: [...e.sources], state: 'declared' });
  }
  for (const s of learned) {
    const a = app(s.app);
    for (const n of s.nodes) {
      const node = a.nodes.get(n.id);
      if (node === undefined) a.nodes.set(n.id, { ...n, models: [...n.models] });
      else for (const m of n.models) if (!node.models.includes(m)) node.models.push(m);
    }
    for (const e of s.edges) {
      const edge = a.edges.get(edgeKey(e));
      if (edge === undefined) a.edges.set(edgeKey(e), { ...e, sources: [...e.sources] });
      else {
        append(edge.sources, e.sources);
        Object.assign(edge, { state: 'both' satisfies EdgeState }, e.count !== undefined && { count: e.count }, e.firstSeen !== undefined && { firstSeen: e.firstSeen, lastSeen: e.lastSeen });
      }
    }
    append(a.outside, s.outside ?? []);
  }
  return [...apps].sort(([a], [b]) => byText(a, b)).map(([name, a]) => supermodel(name, [...a.nodes.values()], [...a.edges.values()], a.outside));
}

const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp'];
/** The DNS server Docker gives containers on user-defined networks: the host's runtime, not the container. */
const DOCKER_DNS = '127.0.0.11';
/** Workloads a graph tells apart (a pair of them is one number). */
const MAX_NODES = 2 ** 24;

function see(seen: Seen, time: number): void {
  seen.count++;
  if (time < seen.first) seen.first = time;
  if (time > seen.last) seen.last = time;
}

/** The key of an edge in `FlowGraph.judge`'s allowed set. */
export const edgeKey = (e: Pick<SupermodelEdge, 'from' | 'to' | 'targetPort' | 'protocol'>) => `${e.from}\0${e.to}\0${e.targetPort}\0${e.protocol}`;
