import type { Protocol, Source, Supermodel, SupermodelEdge, SupermodelNode } from '../../model/index.ts';
import { describe } from '../checks/check.ts';
import { addDns, addEgress, buildSupermodel } from '../common/model-builder.ts';
import type { PeerReference } from '../common/peers.ts';
import { report, reportAt, sourceOf, type Context } from './node.ts';
import { isUnder, mesosDnsLabel } from './paths.ts';
import type { PortItem } from './ports.ts';
import type { Service } from './service.ts';

interface Exposed {
  service: Service;
  item: PortItem;
}

// Every name a client may reach a service by: its id, its Mesos-DNS label (`/prod/db` → `db-prod`),
// marathon-lb service ports, DC/OS VIPs (`name:port`, `ip:port`) and marathon-lb virtual hosts.
interface Directory {
  byId: Map<string, Service>;
  byLabel: Map<string, Service>;
  byServicePort: Map<number, Exposed[]>;
  byVip: Map<string, Exposed[]>;
  byVhost: Map<string, Exposed[]>;
  services: readonly Service[];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function directoryOf(services: readonly Service[]): Directory {
  const dir: Directory = { byId: new Map(), byLabel: new Map(), byServicePort: new Map(), byVip: new Map(), byVhost: new Map(), services };
  for (const service of services) {
    if (!dir.byId.has(service.spec.id)) dir.byId.set(service.spec.id, service);
    const label = mesosDnsLabel(service.spec.id);
    if (!dir.byLabel.has(label)) dir.byLabel.set(label, service);
    for (const item of service.ports) {
      if (item.servicePort !== undefined) push(dir.byServicePort, item.servicePort, { service, item });
      for (const vip of item.vips) push(dir.byVip, vip, { service, item });
      for (const vhost of item.vhosts) push(dir.byVhost, vhost, { service, item });
    }
  }
  return dir;
}

// `port` is what the client dials, `targetPort` where the process listens.
interface Target {
  service: Service;
  port: number;
  targetPort: number;
  protocol: Protocol;
  source?: Source;
}

// Names under which Mesos-DNS and DC/OS publish a Marathon task.
const TASK_SUFFIXES = [
  '.marathon.mesos', '.marathon.slave.mesos', '.marathon.agentip.dcos.thisdcos.directory',
  '.marathon.autoip.dcos.thisdcos.directory', '.marathon.containerip.dcos.thisdcos.directory', '.marathon.mesos.thisdcos.directory',
];
const VIP_SUFFIXES = ['.marathon.l4lb.thisdcos.directory', '.l4lb.thisdcos.directory'];
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * The ports a peer is reached on. A port Marathon assigns when the task starts
 * (0) is no port a connection can be allowed on: it makes no target.
 */
function targetsOf(exposed: readonly Exposed[], port: (e: Exposed) => number, detail: string): Target[] {
  return exposed.flatMap(({ service, item }) => {
    const at = port({ service, item });
    if (at === 0 || item.port === 0) return [];
    return item.protocols.map((protocol) => ({ service, port: at, targetPort: item.port, protocol, source: { ...item.source, detail } }));
  });
}

function isLoadBalancer(host: string): boolean {
  return host.split('.')[0]?.startsWith('marathon-lb') ?? false;
}

// Only a name that can mean nothing but a Marathon task is worth a finding when the input lacks it.
function namesATask(host: string): boolean {
  return !host.includes('.') || isLoadBalancer(host) || [...TASK_SUFFIXES, ...VIP_SUFFIXES].some((s) => host.endsWith(s));
}

// A marathon-lb service port or virtual host, a DC/OS VIP, or a Mesos-DNS name; undefined when
// the host names nothing of the input.
function resolve(dir: Directory, ref: PeerReference): Target[] | undefined {
  const host = ref.host.toLowerCase().replace(/\.$/, '');
  if (isLoadBalancer(host) && ref.port !== undefined) {
    const exposed = dir.byServicePort.get(ref.port);
    if (exposed) return targetsOf(exposed, () => ref.port ?? 0, `marathon-lb forwards service port ${ref.port} to this port`);
  }
  const vhost = dir.byVhost.get(host);
  if (vhost) {
    const port = ref.port ?? (ref.scheme === 'https' ? 443 : 80);
    return targetsOf(vhost, () => port, `marathon-lb routes virtual host ${host} to this port`);
  }
  const vipSuffix = VIP_SUFFIXES.find((s) => host.endsWith(s));
  if (vipSuffix !== undefined || IPV4.test(host)) {
    const name = vipSuffix === undefined ? host : host.slice(0, -vipSuffix.length);
    const matches: Target[] = [];
    for (const [key, exposed] of dir.byVip) {
      const colon = key.lastIndexOf(':');
      const vipPort = Number(key.slice(colon + 1));
      if (key.slice(0, colon) !== name || (ref.port !== undefined && ref.port !== vipPort)) continue;
      matches.push(...targetsOf(exposed, () => vipPort, `VIP ${key} forwards to this port`));
    }
    if (matches.length > 0) return matches;
    if (vipSuffix !== undefined) return undefined;
  }
  const suffix = TASK_SUFFIXES.find((s) => host.endsWith(s));
  const service = suffix === undefined ? undefined : dir.byLabel.get(host.slice(0, -suffix.length));
  if (!service) return undefined;
  if (ref.port === undefined) return targetsOf(service.ports.map((item) => ({ service, item })), (e) => e.item.port, 'a port of the app the name resolves to');
  const port = ref.port;
  const matching = service.ports.filter((p) => p.port === port || p.hostPort === port || p.servicePort === port);
  if (matching.length > 0) return targetsOf(matching.map((item) => ({ service, item })), () => port, 'a port of the app the name resolves to');
  return [{ service, port, targetPort: port, protocol: 'tcp' }];
}

// The far end is kept beside the edge, as an app and a pod may share an id.
interface Link {
  edge: SupermodelEdge;
  to: Service;
}

function link(from: Service, target: Target, sources: Source[]): Link {
  return {
    edge: {
      from: from.spec.id,
      to: target.service.spec.id,
      port: target.port,
      targetPort: target.targetPort,
      protocol: target.protocol,
      sources: target.source ? [...sources, target.source] : sources,
    },
    to: target.service,
  };
}

function connectPeers(ctx: Context, dir: Directory, service: Service): Link[] {
  const links: Link[] = [];
  for (const { model, refs } of service.clients) {
    for (const ref of refs) {
      addDns(model, ref.host, ref.sources);
      const targets = resolve(dir, ref);
      if (!targets) {
        if (ref.port !== undefined) addEgress(model, ref.host, ref.port, 'tcp', ref.sources);
        const [first] = ref.sources;
        if (namesATask(ref.host.toLowerCase()) && first?.file !== undefined && first.line !== undefined) {
          const location = { file: first.file, line: first.line, ...(first.path !== undefined && { path: first.path }) };
          reportAt(ctx, 'TN011', `${describe(model)} refers to ${ref.host} (${ref.via.join(', ')}), but no app of that name is in the input`, location, model.id);
        }
        continue;
      }
      for (const target of targets) {
        addEgress(model, ref.host, target.port, target.protocol, ref.sources);
        if (target.service !== service) links.push(link(service, target, ref.sources));
      }
    }
  }
  return links;
}

// A dependency on a group means every app below it, and the edge lands on marathon-lb's service
// port when the port has one.
function connectDependencies(ctx: Context, dir: Directory, service: Service): Link[] {
  const links: Link[] = [];
  for (const dep of service.dependencies) {
    const exact = dir.byId.get(dep.id);
    const targets = exact ? [exact] : dir.services.filter((s) => isUnder(s.spec.id, dep.id));
    const dependent = dep.group === undefined ? service.spec.id : `group ${dep.group}`;
    if (targets.length === 0) {
      // A group's dependency is reported once, not once for each app inside the group.
      const model = dep.group === undefined ? service.models[0]?.id : undefined;
      const who = dep.group === undefined ? `${service.kind} ${dependent}` : dependent;
      report(ctx, 'TN011', `${who} depends on ${dep.id}, which is not in the input`, dep.node, model);
      continue;
    }
    for (const target of targets) {
      if (target === service) continue;
      const detail = `${dependent} depends on ${dep.id}`;
      for (const t of targetsOf(target.ports.map((item) => ({ service: target, item })), (e) => e.item.servicePort ?? e.item.port, `a port of ${target.spec.id}`)) {
        links.push(link(service, t, [sourceOf(dep.node, detail)]));
      }
    }
  }
  return links;
}

interface Graph {
  nodes: Map<string, SupermodelNode>;
  edges: SupermodelEdge[];
}

function addNode(graph: Graph, service: Service): void {
  const node = graph.nodes.get(service.spec.id);
  const models = service.models.map((m) => m.id);
  if (!node) graph.nodes.set(service.spec.id, { id: service.spec.id, kind: service.kind, models });
  else for (const id of models) if (!node.models.includes(id)) node.models.push(id);
}

/**
 * One supermodel per Marathon group: its apps and pods as nodes, and the edges
 * their dependencies and env peers draw, in the group of the client (with the
 * server as a node there too, when it lives in another group).
 */
export function connect(ctx: Context, services: readonly Service[]): Supermodel[] {
  const dir = directoryOf(services);
  const graphs = new Map<string, Graph>();
  const graphOf = (group: string): Graph => {
    const graph = graphs.get(group) ?? { nodes: new Map(), edges: [] };
    graphs.set(group, graph);
    return graph;
  };
  for (const service of services) addNode(graphOf(service.spec.group), service);
  for (const service of services) {
    const graph = graphOf(service.spec.group);
    for (const { edge, to } of [...connectDependencies(ctx, dir, service), ...connectPeers(ctx, dir, service)]) {
      addNode(graph, to);
      graph.edges.push(edge);
    }
  }
  return [...graphs]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, graph]) => buildSupermodel(group, [...graph.nodes.values()], graph.edges));
}
