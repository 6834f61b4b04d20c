import { CiliumNetworkPolicy as CiliumModel } from '@kubernetes-models/cilium/cilium.io/v2/CiliumNetworkPolicy';
import { NetworkPolicy as NetworkPolicyModel } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { allowedFlows, ciliumNetworkPolicies, networkPolicies, networkPolicyGraph, type NetworkPolicy, type PolicyPod } from '../../src/enforce/index.ts';
import { emptyModel, type Supermodel } from '../../src/model/index.ts';
import { FIXTURES } from '../fixtures.ts';
import { analyzeFiles } from '../intent/kubernetes/load.ts';
import { tenet } from '../run-cli.ts';

const RELEASE = join(FIXTURES, 'kubernetes/microservices-demo/release-kubernetes-manifests.yaml');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected/online-boutique-edges.json'), 'utf8')) as {
  internal_edges: Array<{ src: string; dst: string; pod_port: number }>;
};

const boutique = () => {
  const result = analyzeFiles(RELEASE);
  return { supermodel: result.supermodels[0]!, models: result.models };
};

function podsOf(supermodel: Supermodel, models: ReturnType<typeof boutique>['models']): PolicyPod[] {
  return supermodel.nodes.map((n) => {
    const model = models.find((m) => n.models.includes(m.id) && m.workload?.labels !== undefined)!;
    return { id: n.id, namespace: 'default', labels: model.workload!.labels! };
  });
}

test('Online Boutique: the NetworkPolicies allow exactly its 16 edges, DNS, and the frontend\'s external ingress', () => {
  const { supermodel, models } = boutique();
  const { policies, notes } = networkPolicies(supermodel, models);
  assert.equal(policies.length, 12, 'one per workload');
  for (const policy of policies) assert.doesNotThrow(() => new NetworkPolicyModel(policy).validate(), policy.metadata.name);

  const pods = podsOf(supermodel, models);
  const dns: PolicyPod = { id: 'kube-system/coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
  const outsider: PolicyPod = { id: 'elsewhere/client', namespace: 'elsewhere', labels: { app: 'client' } };
  // every port any policy names, and more
  const ports = [...new Set([53, 80, 443, 3550, 5000, 5050, 6379, 7000, 7070, 8080, 9555, 50051, 9090])];
  const candidates = ports.flatMap((port) => [{ port, protocol: 'TCP' as const }, { port, protocol: 'UDP' as const }]);
  const flows = allowedFlows(policies, [...pods, dns, outsider], candidates);

  const internal = flows.filter((f) => f.from !== outsider.id && f.to !== dns.id && f.to !== outsider.id && f.from !== dns.id);
  assert.deepEqual(
    internal.map((f) => `${f.from} -> ${f.to} ${f.port}/${f.protocol}`).sort(),
    expected.internal_edges.map((e) => `default/${e.src} -> default/${e.dst} ${e.pod_port}/TCP`).sort(),
  );
  for (const pod of pods) {
    assert.deepEqual(flows.filter((f) => f.from === pod.id && f.to === dns.id).map((f) => `${f.port}/${f.protocol}`).sort(), ['53/TCP', '53/UDP'], pod.id);
  }
  assert.deepEqual(flows.filter((f) => f.from === outsider.id && f.to !== dns.id).map((f) => `${f.to} ${f.port}/${f.protocol}`), ['default/frontend 8080/TCP']);
  assert.deepEqual(flows.filter((f) => f.to === outsider.id && pods.some((p) => p.id === f.from)), [], 'nothing of the application goes out to other pods');
  // the undeployed shopping assistant is a name: said, not allowed
  assert.deepEqual(notes, ['default/frontend egress to shoppingassistantservice:80: a name, which NetworkPolicy cannot select (generate ciliumnetworkpolicy allows names)']);
  const frontend = policies.find((p) => p.metadata.name === 'tenet-frontend')!;
  assert.match(frontend.metadata.annotations!['tenet.dev/not-expressed']!, /shoppingassistantservice:80/);
});

test('Online Boutique: the CiliumNetworkPolicies validate against Cilium\'s schema and carry the same graph', () => {
  const { supermodel, models } = boutique();
  const { policies } = ciliumNetworkPolicies(supermodel, models);
  assert.equal(policies.length, 12);
  for (const policy of policies) assert.doesNotThrow(() => new CiliumModel(policy as never).validate(), policy.metadata.name);
  const edges = policies.flatMap((p) => p.spec.egress.flatMap((r) => (r.toEndpoints ?? [])
    .filter((e) => e.matchLabels.app !== undefined)
    .flatMap((e) => r.toPorts!.flatMap((t) => t.ports.map((port) => `default/${p.spec.endpointSelector.matchLabels.app} -> default/${e.matchLabels.app} ${port.port}/TCP`)))));
  assert.deepEqual(edges.sort(), expected.internal_edges.map((e) => `default/${e.src} -> default/${e.dst} ${e.pod_port}/TCP`).sort());
  const frontend = policies.find((p) => p.metadata.name === 'tenet-frontend')!;
  assert.deepEqual(frontend.spec.ingress.find((r) => r.fromEntities !== undefined), { fromEntities: ['all'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] });
});

test('egress outside the graph: addresses become ipBlocks and CIDRs, names FQDN rules, any peer a port', () => {
  const model = emptyModel('k8s:shop/Deployment/api/server', { workload: { kind: 'Deployment', namespace: 'shop', name: 'api', labels: { app: 'api' }, sources: [] } });
  const src = [{ kind: 'learned' as const }];
  model.network.egress.push(
    { host: '10.0.0.7', port: 6379, protocol: 'tcp', sources: src },
    { host: 'fd00::1', port: 5432, protocol: 'tcp', sources: src },
    { host: '192.168.0.0/16', port: 9000, protocol: 'udp', sources: src },
    { host: 'api.stripe.com', port: 443, protocol: 'tcp', sources: src },
    { host: '*', port: 25, protocol: 'tcp', sources: src },
  );
  const supermodel: Supermodel = { apiVersion: 'tenet/v1', kind: 'Supermodel', app: 'shop', nodes: [{ id: 'shop/api', kind: 'Deployment', models: [model.id] }], edges: [] };
  const [policy] = networkPolicies(supermodel, [model]).policies;
  new NetworkPolicyModel(policy).validate();
  assert.deepEqual(policy!.spec.egress.slice(1), [
    { ports: [{ port: 25, protocol: 'TCP' }] },
    { to: [{ ipBlock: { cidr: '10.0.0.7/32' } }], ports: [{ port: 6379, protocol: 'TCP' }] },
    { to: [{ ipBlock: { cidr: '192.168.0.0/16' } }], ports: [{ port: 9000, protocol: 'UDP' }] },
    { to: [{ ipBlock: { cidr: 'fd00::1/128' } }], ports: [{ port: 5432, protocol: 'TCP' }] },
  ]);
  model.network.dns.push({ name: 'api.stripe.com', sources: src }, { name: 'telemetry.example.net.', sources: src }, { name: 'redis', sources: src });
  const [cilium] = ciliumNetworkPolicies(supermodel, [model]).policies;
  new CiliumModel(cilium as never).validate();
  assert.deepEqual(cilium!.spec.egress.find((r) => r.toFQDNs !== undefined), { toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] });
  assert.deepEqual(cilium!.spec.egress.find((r) => r.toEntities !== undefined), { toEntities: ['all'], toPorts: [{ ports: [{ port: '25', protocol: 'TCP' }] }] });
  // a name it looks up with no port known: that name only, on any port
  assert.deepEqual(cilium!.spec.egress.at(-1), { toFQDNs: [{ matchName: 'telemetry.example.net' }] });
  assert.deepEqual(policy!.spec.ingress, [], 'no client in the graph: no ingress');
});

test('Online Boutique: the NetworkPolicies `generate` prints, read back, give the graph they were made from', () => {
  const { supermodel, models } = boutique();
  const printed = tenet(['generate', 'networkpolicy', RELEASE]);
  assert.equal(printed.status, 0, printed.stderr);
  const policies = parseAllDocuments(printed.stdout).map((d) => d.toJS() as NetworkPolicy);
  const graph = networkPolicyGraph(policies, podsOf(supermodel, models));
  assert.deepEqual(
    graph.map((f) => `${f.from} -> ${f.to} ${f.port}/${f.protocol.toLowerCase()}`).sort(),
    supermodel.edges.map((e) => `${e.from} -> ${e.to} ${e.targetPort}/${e.protocol}`).sort(),
  );
  assert.equal(graph.length, 16);
});
