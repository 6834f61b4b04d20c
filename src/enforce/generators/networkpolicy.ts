import type { IntentModel, Protocol, Supermodel, SupermodelNode } from '../../model/index.ts';
import { kubernetesName } from './seccomp.ts';
import { isAddress } from './target.ts';

/**
 * Network policies of an application, one per workload, from its supermodel:
 * ingress from the workloads the graph says connect to it (on the container
 * ports they land on) and from anywhere on the ports a LoadBalancer or
 * NodePort Service exposes; egress to the workloads it connects to, to the
 * addresses of its models' egress, and to the cluster DNS. Everything else is
 * denied, in both directions.
 */

type Labels = Record<string, string>;
type Port = { port: number | string; protocol: 'TCP' | 'UDP' | 'SCTP' };

export interface NetworkPolicyPeer {
  podSelector?: { matchLabels?: Labels };
  namespaceSelector?: { matchLabels?: Labels };
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicy {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'NetworkPolicy';
  metadata: { name: string; namespace: string; labels?: Labels; annotations?: Record<string, string> };
  spec: {
    podSelector: { matchLabels: Labels };
    policyTypes: Array<'Ingress' | 'Egress'>;
    ingress: Array<{ from?: NetworkPolicyPeer[]; ports?: Port[] }>;
    egress: Array<{ to?: NetworkPolicyPeer[]; ports?: Port[] }>;
  };
}

export interface CiliumNetworkPolicy {
  apiVersion: 'cilium.io/v2';
  kind: 'CiliumNetworkPolicy';
  metadata: NetworkPolicy['metadata'];
  spec: {
    endpointSelector: { matchLabels: Labels };
    ingress: Array<{ fromEndpoints?: Array<{ matchLabels: Labels }>; fromEntities?: string[]; toPorts: CiliumPorts[] }>;
    egress: Array<{ toEndpoints?: Array<{ matchLabels: Labels }>; toCIDR?: string[]; toFQDNs?: Array<{ matchName: string }>; toEntities?: string[]; toPorts?: CiliumPorts[] }>;
  };
}
type CiliumPorts = { ports: Array<{ port: string; protocol: 'TCP' | 'UDP' | 'SCTP' | 'ANY' }>; rules?: { dns: Array<{ matchPattern: string }> } };

/** Where the cluster DNS runs: the namespace and the labels of its pods (CoreDNS and kube-dns both carry k8s-app=kube-dns). */
export interface ClusterDns {
  namespace: string;
  labels: Labels;
}
export const DEFAULT_DNS: ClusterDns = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };

export interface PolicySet<T> {
  policies: T[];
  /** What the policies could not say, one line each: an unresolved name, a workload without pod labels. */
  notes: string[];
}

const MANAGED = { 'app.kubernetes.io/managed-by': 'tenet' };
const upper = (p: Protocol) => p.toUpperCase() as Port['protocol'];

/** A workload of the graph as the policies need it: its pods' labels, namespace and models. */
interface Workload {
  node: SupermodelNode;
  name: string;
  namespace: string;
  labels: Labels | undefined;
  models: IntentModel[];
}

function workloads(supermodel: Supermodel, models: readonly IntentModel[]): Map<string, Workload> {
  const byId = new Map(models.map((m) => [m.id, m]));
  return new Map(supermodel.nodes.map((node) => {
    const own = node.models.flatMap((id) => byId.get(id) ?? []);
    const labels = own.find((m) => m.workload?.labels !== undefined)?.workload?.labels;
    const namespace = own.find((m) => m.workload?.namespace !== undefined)?.workload?.namespace ?? node.id.split('/')[0]!;
    return [node.id, { node, name: node.id.split('/').pop()!, namespace, labels, models: own }];
  }));
}

/** An egress entry the graph does not explain: an address, a network, any peer, or a name no workload answers to. */
interface Outside {
  host: string;
  port: number;
  protocol: Protocol;
  kind: 'address' | 'any' | 'name';
}

function outside(supermodel: Supermodel, w: Workload): Outside[] {
  const explained = new Set(supermodel.edges.filter((e) => e.from === w.node.id && e.host !== undefined).map((e) => `${e.host}:${e.port}`));
  const found = new Map<string, Outside>();
  for (const model of w.models) {
    for (const e of model.network.egress) {
      if (explained.has(`${e.host}:${e.port}`)) continue;
      const kind = e.host === '*' ? 'any' : isAddress(e.host) ? 'address' : 'name';
      found.set(`${e.protocol}/${e.host}:${e.port}`, { host: e.host, port: e.port, protocol: e.protocol, kind });
    }
  }
  return [...found.values()].sort((a, b) => a.host.localeCompare(b.host) || a.port - b.port);
}

const cidrOf = (host: string) => (host.includes('/') ? host : `${host}/${host.includes(':') ? 128 : 32}`);

/** The ports of edges grouped by the peer at their other end, in a stable order. */
function byPeer(edges: Supermodel['edges'], peerOf: (e: Supermodel['edges'][number]) => string): Array<[string, Port[]]> {
  const grouped = new Map<string, Map<string, Port>>();
  for (const e of edges) {
    const ports = grouped.get(peerOf(e)) ?? new Map<string, Port>();
    ports.set(`${e.protocol}/${e.targetPort}`, { port: e.targetPort, protocol: upper(e.protocol) });
    grouped.set(peerOf(e), ports);
  }
  return [...grouped].sort(([a], [b]) => a.localeCompare(b)).map(([peer, ports]) => [peer, [...ports.values()].sort((a, b) => Number(a.port) - Number(b.port))]);
}

function metadata(w: Workload, notes: readonly string[]): NetworkPolicy['metadata'] {
  return {
    name: kubernetesName(`tenet-${w.name}`),
    namespace: w.namespace,
    labels: { ...MANAGED },
    annotations: {
      'tenet.dev/models': w.models.map((m) => m.id).join(','),
      ...(notes.length > 0 && { 'tenet.dev/not-expressed': notes.join('; ') }),
    },
  };
}

/** The graph's peers of a workload, each with its labels (or a note saying why it has none). */
function peers(all: ReadonlyMap<string, Workload>, list: Array<[string, Port[]]>, notes: string[], what: string): Array<{ peer: Workload; labels: Labels; ports: Port[] }> {
  return list.flatMap(([id, ports]) => {
    const peer = all.get(id);
    if (peer?.labels === undefined) {
      notes.push(`${what} ${id}: it has no pod labels to select it by`);
      return [];
    }
    return [{ peer, labels: peer.labels, ports }];
  });
}

/** What a workload's policy says, whatever its dialect: its clients, its servers, its exposed ports, its peers outside the graph. */
interface Plan {
  clients: Array<{ peer: Workload; labels: Labels; ports: Port[] }>;
  servers: Array<{ peer: Workload; labels: Labels; ports: Port[] }>;
  exposed: Port[];
  outside: Outside[];
  /** What the policy cannot say: the renderer adds its own. */
  notes: string[];
}

/** One policy per workload with pod labels, made by `make` from the workload's plan; the notes of all. */
function perWorkload<T>(supermodel: Supermodel, models: readonly IntentModel[], make: (w: Workload & { labels: Labels }, plan: Plan) => T): PolicySet<T> {
  const all = workloads(supermodel, models);
  const policies: T[] = [];
  const notes: string[] = [];
  for (const w of all.values()) {
    if (w.labels === undefined) {
      notes.push(`${w.node.id}: no policy, its pods have no labels to select them by`);
      continue;
    }
    const own: string[] = [];
    const exposed = new Map((w.node.exposed ?? []).map((x) => [`${x.protocol}/${x.targetPort}`, { port: x.targetPort, protocol: upper(x.protocol) }]));
    const plan: Plan = {
      clients: peers(all, byPeer(supermodel.edges.filter((e) => e.to === w.node.id), (e) => e.from), own, 'from'),
      servers: peers(all, byPeer(supermodel.edges.filter((e) => e.from === w.node.id), (e) => e.to), own, 'to'),
      exposed: [...exposed.values()],
      outside: outside(supermodel, w),
      notes: own,
    };
    policies.push(make({ ...w, labels: w.labels }, plan));
    notes.push(...own.map((n) => `${w.node.id} ${n}`));
  }
  return { policies, notes };
}

/** One Kubernetes NetworkPolicy per workload with pod labels. */
export function networkPolicies(supermodel: Supermodel, models: readonly IntentModel[], dns: ClusterDns = DEFAULT_DNS): PolicySet<NetworkPolicy> {
  return perWorkload(supermodel, models, (w, plan) => {
    const peerOf = (p: Workload, labels: Labels): NetworkPolicyPeer => (p.namespace === w.namespace
      ? { podSelector: { matchLabels: labels } }
      : { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } }, podSelector: { matchLabels: labels } });
    const ingress: NetworkPolicy['spec']['ingress'] = plan.clients.map(({ peer, labels, ports }) => ({ from: [peerOf(peer, labels)], ports }));
    if (plan.exposed.length > 0) ingress.push({ ports: plan.exposed });
    const egress: NetworkPolicy['spec']['egress'] = plan.servers.map(({ peer, labels, ports }) => ({ to: [peerOf(peer, labels)], ports }));
    egress.push({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': dns.namespace } }, podSelector: { matchLabels: dns.labels } }],
      ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
    });
    for (const o of plan.outside) {
      const ports = [{ port: o.port, protocol: upper(o.protocol) }];
      if (o.kind === 'address') egress.push({ to: [{ ipBlock: { cidr: cidrOf(o.host) } }], ports });
      else if (o.kind === 'any') egress.push({ ports });
      else plan.notes.push(`egress to ${o.host}:${o.port}: a name, which NetworkPolicy cannot select (generate ciliumnetworkpolicy allows names)`);
    }
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata(w, plan.notes),
      spec: { podSelector: { matchLabels: w.labels }, policyTypes: ['Ingress', 'Egress'], ingress, egress },
    };
  });
}

/** Cilium's endpoint labels: a pod's own labels, and its namespace as Cilium labels it. */
function endpoint(labels: Labels, namespace: string, own: string): { matchLabels: Labels } {
  return { matchLabels: { ...labels, ...(namespace !== own && { 'k8s:io.kubernetes.pod.namespace': namespace }) } };
}

/**
 * One CiliumNetworkPolicy per workload with pod labels: the same graph as
 * `networkPolicies`, and egress to DNS names too (toFQDNs, with Cilium's DNS
 * proxy seeing the lookups), which a NetworkPolicy cannot say.
 */
export function ciliumNetworkPolicies(supermodel: Supermodel, models: readonly IntentModel[], dns: ClusterDns = DEFAULT_DNS): PolicySet<CiliumNetworkPolicy> {
  const toPorts = (ports: Port[]): CiliumPorts[] => [{ ports: ports.map((p) => ({ port: String(p.port), protocol: p.protocol })) }];
  return perWorkload(supermodel, models, (w, plan) => {
    const ingress: CiliumNetworkPolicy['spec']['ingress'] = plan.clients
      .map(({ peer, labels, ports }) => ({ fromEndpoints: [endpoint(labels, peer.namespace, w.namespace)], toPorts: toPorts(ports) }));
    if (plan.exposed.length > 0) ingress.push({ fromEntities: ['all'], toPorts: toPorts(plan.exposed) });
    const egress: CiliumNetworkPolicy['spec']['egress'] = plan.servers
      .map(({ peer, labels, ports }) => ({ toEndpoints: [endpoint(labels, peer.namespace, w.namespace)], toPorts: toPorts(ports) }));
    egress.push({
      toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': dns.namespace, ...Object.fromEntries(Object.entries(dns.labels).map(([k, v]) => [`k8s:${k}`, v])) } }],
      toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
    });
    const named = new Set<string>();
    for (const o of plan.outside) {
      const ports = toPorts([{ port: o.port, protocol: upper(o.protocol) }]);
      if (o.kind === 'address') egress.push({ toCIDR: [cidrOf(o.host)], toPorts: ports });
      else if (o.kind === 'any') egress.push({ toEntities: ['all'], toPorts: ports });
      else if (o.host.includes('.')) {
        named.add(o.host.replace(/\.$/, ''));
        egress.push({ toFQDNs: [{ matchName: o.host.replace(/\.$/, '') }], toPorts: ports });
      } else plan.notes.push(`egress to ${o.host}:${o.port}: a name no workload of the application answers to`);
    }
    // names it looks up (learned, or declared without a port) that no rule above names: any port, to that name only
    const edgeHosts = new Set(supermodel.edges.filter((e) => e.from === w.node.id).map((e) => e.host));
    const lookedUp = [...new Set(w.models.flatMap((m) => m.network.dns.map((d) => d.name.replace(/\.$/, ''))))]
      .filter((n) => n.includes('.') && !n.includes('*') && !named.has(n) && !edgeHosts.has(n)).sort();
    if (lookedUp.length > 0) egress.push({ toFQDNs: lookedUp.map((matchName) => ({ matchName })) });
    return {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: metadata(w, plan.notes),
      spec: { endpointSelector: { matchLabels: w.labels }, ingress, egress },
    };
  });
}

/** A pod as policies see it. */
export interface PolicyPod {
  id: string;
  namespace: string;
  labels: Labels;
}

export interface AllowedFlow {
  from: string;
  to: string;
  port: number;
  protocol: Port['protocol'];
}

const selects = (selector: { matchLabels?: Labels } | undefined, labels: Labels) =>
  selector !== undefined && Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

function peerMatches(peer: NetworkPolicyPeer, pod: PolicyPod, policyNamespace: string): boolean {
  if (peer.ipBlock !== undefined) return false;
  const namespaceOk = peer.namespaceSelector === undefined ? pod.namespace === policyNamespace : selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': pod.namespace });
  return namespaceOk && (peer.podSelector === undefined || selects(peer.podSelector, pod.labels));
}

function portMatches(ports: Port[] | undefined, port: number, protocol: Port['protocol']): boolean {
  return ports === undefined || ports.length === 0 || ports.some((p) => p.port === port && (p.protocol ?? 'TCP') === protocol);
}

/**
 * What a set of NetworkPolicies lets through between pods, as Kubernetes
 * reads them: a flow passes when the client's egress allows it (or no policy
 * selects the client for egress) and the server's ingress allows it (or none
 * selects the server for ingress). `candidates` are the ports to try.
 */
export function allowedFlows(policies: readonly NetworkPolicy[], pods: readonly PolicyPod[], candidates: ReadonlyArray<{ port: number; protocol: Port['protocol'] }>): AllowedFlow[] {
  const on = (pod: PolicyPod, type: 'Ingress' | 'Egress') => policies.filter((p) => p.metadata.namespace === pod.namespace && p.spec.policyTypes.includes(type) && selects(p.spec.podSelector, pod.labels));
  const flows: AllowedFlow[] = [];
  for (const from of pods) {
    const egress = on(from, 'Egress');
    for (const to of pods) {
      if (to === from) continue;
      const ingress = on(to, 'Ingress');
      for (const { port, protocol } of candidates) {
        const out = egress.length === 0 || egress.some((p) => p.spec.egress.some((r) => portMatches(r.ports, port, protocol) && (r.to === undefined || r.to.some((peer) => peerMatches(peer, to, p.metadata.namespace)))));
        const into = ingress.length === 0 || ingress.some((p) => p.spec.ingress.some((r) => portMatches(r.ports, port, protocol) && (r.from === undefined || r.from.some((peer) => peerMatches(peer, from, p.metadata.namespace)))));
        if (out && into) flows.push({ from: from.id, to: to.id, port, protocol });
      }
    }
  }
  return flows;
}

/**
 * The graph a set of NetworkPolicies allows between pods: every flow on a
 * port some policy names, less the DNS and the traffic from and to anything
 * that is not one of `pods`. Reading generated policies back this way gives
 * the graph they were made from.
 */
export function networkPolicyGraph(policies: readonly NetworkPolicy[], pods: readonly PolicyPod[]): AllowedFlow[] {
  const ports = new Map<string, { port: number; protocol: Port['protocol'] }>();
  for (const p of policies) {
    for (const rule of [...p.spec.ingress, ...p.spec.egress]) {
      for (const port of rule.ports ?? []) if (typeof port.port === 'number') ports.set(`${port.protocol}/${port.port}`, { port: port.port, protocol: port.protocol ?? 'TCP' });
    }
  }
  // a pod no policy selects lets everything in and out: only flows some policy allows on both ends count
  const governed = (pod: PolicyPod) => policies.some((p) => p.metadata.namespace === pod.namespace && selects(p.spec.podSelector, pod.labels));
  return allowedFlows(policies, pods.filter(governed), [...ports.values()]);
}
