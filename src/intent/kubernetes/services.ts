import type { IntentModel, Protocol, SupermodelEdge, SupermodelNode } from '../../model/index.ts';
import { describe } from '../checks/check.ts';
import { addDns, addEgress } from '../common/model-builder.ts';
import { isInternalName, type PeerReference } from '../common/peers.ts';
import {
  child, invalid, isPresent, listOf, mapOf, portOf, protocolOf, report, reportAt, rootOf, sourceOf, stringMapOf, stringOf,
  type Context, type KubeObject, type Node,
} from './node.ts';
import type { Workload } from './workload.ts';

export interface ServicePort {
  port: number;
  protocol: Protocol;
  appProtocol?: string;
  /** A container port number, or the name of one. */
  target: number | string;
  node: Node;
}

export interface Service {
  obj: KubeObject;
  /** ClusterIP, NodePort, LoadBalancer, ExternalName. */
  type: string;
  ports: ServicePort[];
  /** The workloads of the namespace whose pod labels match the selector. */
  selected: Workload[];
}

// Istio's protocol selection by port name: `grpc`, `http-web`, `tcp-redis` …
const NAMED_PROTOCOLS = ['grpc-web', 'grpc', 'http2', 'https', 'http', 'tcp', 'tls', 'udp', 'redis', 'mongo', 'mysql', 'thrift', 'dubbo'];

export function appProtocolOfName(name: string): string | undefined {
  const lower = name.toLowerCase();
  return NAMED_PROTOCOLS.find((p) => lower === p || lower.startsWith(`${p}-`));
}

function readPort(ctx: Context, entry: Node): ServicePort | undefined {
  if (!mapOf(ctx, entry)) return undefined;
  const portNode = child(entry, 'port');
  const port = portOf(ctx, portNode);
  if (port === undefined) {
    if (!isPresent(portNode)) report(ctx, 'TN007', 'Service port has no port number; ignored', entry);
    return undefined;
  }
  const name = stringOf(ctx, child(entry, 'name'));
  const appProtocol = stringOf(ctx, child(entry, 'appProtocol')) ?? (name === undefined ? undefined : appProtocolOfName(name));
  const targetNode = child(entry, 'targetPort');
  let target: number | string = port;
  if (typeof targetNode.value === 'string' && targetNode.value !== '') {
    if (/^\d+$/.test(targetNode.value)) invalid(ctx, targetNode, 'a number (a quoted number is read as a port name)');
    const n = Number(targetNode.value);
    target = Number.isInteger(n) && n >= 1 && n <= 65535 ? n : targetNode.value;
  } else if (isPresent(targetNode)) {
    target = portOf(ctx, targetNode) ?? port;
  }
  return {
    port,
    protocol: protocolOf(ctx, child(entry, 'protocol')) ?? 'tcp',
    ...(appProtocol !== undefined && appProtocol !== '' && { appProtocol }),
    target,
    node: entry,
  };
}

function matches(selector: ReadonlyMap<string, string>, labels: ReadonlyMap<string, string>): boolean {
  for (const [key, value] of selector) if (labels.get(key) !== value) return false;
  return true;
}

/** The Services of the input by `namespace/name`, each with the workloads it selects. */
export function readServices(ctx: Context, objects: readonly KubeObject[], workloads: readonly Workload[]): Map<string, Service> {
  const byNamespace = new Map<string, Workload[]>();
  for (const w of workloads) {
    const list = byNamespace.get(w.obj.namespace) ?? [];
    list.push(w);
    byNamespace.set(w.obj.namespace, list);
  }
  const services = new Map<string, Service>();
  for (const obj of objects) {
    if (obj.kind !== 'Service') continue;
    const spec = mapOf(ctx, child(rootOf(obj), 'spec'));
    const ports = spec ? listOf(ctx, child(spec, 'ports')).flatMap((p) => readPort(ctx, p) ?? []) : [];
    // A Service without a selector has its endpoints managed elsewhere; it selects no workload of the input.
    const selector = spec ? stringMapOf(ctx, child(spec, 'selector')) : new Map<string, string>();
    const selected = selector.size === 0 ? [] : (byNamespace.get(obj.namespace) ?? []).filter((w) => matches(selector, w.labels));
    const type = (spec ? stringOf(ctx, child(spec, 'type')) : undefined) ?? 'ClusterIP';
    services.set(`${obj.namespace}/${obj.name}`, { obj, type, ports, selected });
  }
  return services;
}

/**
 * The Service a host name means from a namespace: `svc`, `svc.ns`, `svc.ns.svc`,
 * `svc.ns.svc.cluster.local`, and a StatefulSet pod's `pod.svc[.ns[.svc…]]`.
 */
export function findService(services: ReadonlyMap<string, Service>, host: string, namespace: string): Service | undefined {
  let labels = host.toLowerCase().replace(/\.$/, '').split('.');
  if (labels.length >= 3 && labels[labels.length - 1] === 'local' && labels[labels.length - 2] === 'cluster') labels = labels.slice(0, -2);
  const get = (ns: string | undefined, name: string | undefined) => (ns === undefined || name === undefined ? undefined : services.get(`${ns}/${name}`));
  if (labels[labels.length - 1] === 'svc') {
    labels = labels.slice(0, -1);
    if (labels.length === 2) return get(labels[1], labels[0]);
    if (labels.length === 3) return get(labels[2], labels[1]);
    return undefined;
  }
  if (labels.length === 1) return get(namespace, labels[0]);
  if (labels.length === 2) return get(labels[1], labels[0]) ?? get(namespace, labels[1]);
  if (labels.length === 3) return get(labels[2], labels[1]);
  return undefined;
}

function targetPortOf(port: ServicePort, workload: Workload): number | undefined {
  return typeof port.target === 'number' ? port.target : workload.portNames.get(port.target);
}

/** The ports of a workload that LoadBalancer and NodePort Services open to clients outside the cluster. */
export function exposedPorts(services: ReadonlyMap<string, Service>, workload: Workload): NonNullable<SupermodelNode['exposed']> {
  const exposed: NonNullable<SupermodelNode['exposed']> = [];
  for (const service of services.values()) {
    if ((service.type !== 'LoadBalancer' && service.type !== 'NodePort') || !service.selected.includes(workload)) continue;
    for (const port of service.ports) {
      const targetPort = targetPortOf(port, workload);
      if (targetPort === undefined) continue;
      const svc = `${service.obj.namespace}/${service.obj.name}`;
      exposed.push({ port: port.port, targetPort, protocol: port.protocol, sources: [sourceOf(port.node, `${service.type} Service ${svc} port ${port.port} → ${workload.nodeId} port ${targetPort}`)] });
    }
  }
  return exposed;
}

/**
 * Turns the peers a container names into egress and DNS entries of its model and
 * edges of the graph; an internal name no Service matches is reported with TN011.
 */
export function connect(
  ctx: Context,
  services: ReadonlyMap<string, Service>,
  workload: Workload,
  model: IntentModel,
  refs: readonly PeerReference[],
): SupermodelEdge[] {
  const edges: SupermodelEdge[] = [];
  for (const ref of refs) {
    addDns(model, ref.host, ref.sources);
    const service = findService(services, ref.host, workload.obj.namespace);
    if (!service) {
      if (ref.port !== undefined) addEgress(model, ref.host, ref.port, 'tcp', ref.sources);
      const [first] = ref.sources;
      if (isInternalName(ref.host) && first?.file !== undefined && first.line !== undefined) {
        const location = { file: first.file, line: first.line, ...(first.path !== undefined && { path: first.path }) };
        const message = `${describe(model)} refers to ${ref.host} (${ref.via.join(', ')}), but no Service of that name is in the input`;
        reportAt(ctx, 'TN011', message, location, model.id);
      }
      continue;
    }
    const ports = ref.port === undefined ? service.ports : service.ports.filter((p) => p.port === ref.port);
    if (ports.length === 0 && ref.port !== undefined) addEgress(model, ref.host, ref.port, 'tcp', ref.sources);
    for (const port of ports) {
      addEgress(model, ref.host, port.port, port.protocol, ref.sources);
      for (const peer of service.selected) {
        if (peer.nodeId === workload.nodeId) continue;
        const targetPort = targetPortOf(port, peer);
        if (targetPort === undefined) continue;
        const svc = `${service.obj.namespace}/${service.obj.name}`;
        edges.push({
          from: workload.nodeId,
          to: peer.nodeId,
          port: port.port,
          targetPort,
          protocol: port.protocol,
          ...(port.appProtocol !== undefined && { appProtocol: port.appProtocol }),
          host: ref.host,
          sources: [...ref.sources, sourceOf(port.node, `Service ${svc} port ${port.port} → ${peer.nodeId} port ${targetPort}`)],
        });
      }
    }
  }
  return edges;
}
