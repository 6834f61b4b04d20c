import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FormatResult } from '../../../src/intent/types.ts';
import { Analysis } from '../../../src/model/index.ts';
import { FIXTURES } from '../../fixtures.ts';
import { analyzeFiles } from './load.ts';

const DIR = join(FIXTURES, 'kubernetes/microservices-demo');
const RELEASE = join(DIR, 'release-kubernetes-manifests.yaml');
const PER_SERVICE = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml' && !f.startsWith('release-'))
  .sort()
  .map((f) => join(DIR, f));

const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected/online-boutique-edges.json'), 'utf8')) as {
  internal_edges: Array<{ src: string; dst: string; service_port: number; pod_port: number }>;
};
const EXPECTED_EDGES = expected.internal_edges.map((e) => `default/${e.src} -> default/${e.dst} ${e.service_port}->${e.pod_port}`).sort();

const WORKLOADS = [
  'adservice', 'cartservice', 'checkoutservice', 'currencyservice', 'emailservice', 'frontend', 'loadgenerator',
  'paymentservice', 'productcatalogservice', 'recommendationservice', 'redis-cart', 'shippingservice',
].map((n) => `default/${n}`);

function edgesOf(result: FormatResult): string[] {
  assert.deepEqual(result.supermodels.map((s) => s.app), ['default']);
  return result.supermodels[0]!.edges.map((e) => `${e.from} -> ${e.to} ${e.port}->${e.targetPort}`).sort();
}

for (const [name, paths] of [
  ['the release bundle alone', [RELEASE]],
  ['the per-service files alone', PER_SERVICE],
  ['the whole folder (per-service files, bundle, Istio and kustomize files)', [DIR]],
] as const) {
  test(`Online Boutique from ${name}: exactly the 16 expected internal edges`, () => {
    const result = analyzeFiles(...paths);
    assert.equal(EXPECTED_EDGES.length, 16);
    assert.deepEqual(edgesOf(result), EXPECTED_EDGES);
    const app = result.supermodels[0]!;
    assert.deepEqual(app.nodes.map((n) => n.id), WORKLOADS);
    assert.ok(app.nodes.every((n) => n.kind === 'Deployment' && n.models.length >= 1));
    assert.ok(app.edges.every((e) => e.protocol === 'tcp' && e.sources.length >= 2));
    assert.ok(!app.edges.some((e) => e.to.includes('shoppingassistant')));
    // The undeployed shopping assistant is an egress entry of the frontend and an unresolved reference.
    const unresolved = result.findings.filter((f) => f.code === 'TN011');
    assert.equal(unresolved.length, 1);
    assert.match(unresolved[0]!.message, /shoppingassistantservice/);
    assert.equal(unresolved[0]!.location.path, 'spec.template.spec.containers[0].env[8]');
    const frontend = result.models.find((m) => m.id === 'k8s:default/Deployment/frontend/server');
    assert.ok(frontend?.network.egress.some((e) => e.host === 'shoppingassistantservice' && e.port === 80));
    // Each container is modelled once, whatever the number of definitions.
    const ids = result.models.map((m) => m.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(ids.length, 13, 'twelve workloads and the load generator\'s init container');
    assert.ok(Analysis.safeParse({ ...result }).success);
  });
}

test('Online Boutique: the email edge keeps both ports, the app protocol and its evidence', () => {
  const result = analyzeFiles(RELEASE);
  const edge = result.supermodels[0]!.edges.find((e) => e.to === 'default/emailservice');
  assert.deepEqual(edge, {
    from: 'default/checkoutservice',
    to: 'default/emailservice',
    port: 5000,
    targetPort: 8080,
    protocol: 'tcp',
    appProtocol: 'grpc',
    host: 'emailservice',
    sources: [
      { kind: 'declared', format: 'kubernetes', file: RELEASE, line: 653, path: 'spec.template.spec.containers[0].env[4]' },
      { kind: 'declared', format: 'kubernetes', file: RELEASE, line: 753, path: 'spec.ports[0]', detail: 'Service default/emailservice port 5000 → default/emailservice port 8080' },
    ],
  });
  const redis = result.supermodels[0]!.edges.find((e) => e.to === 'default/redis-cart');
  assert.equal(redis?.appProtocol, 'tcp', 'from the Istio-style port name tcp-redis');
});

test('Online Boutique: the load generator reaches the frontend from its init container and its main container', () => {
  const result = analyzeFiles(RELEASE);
  const edge = result.supermodels[0]!.edges.find((e) => e.from === 'default/loadgenerator');
  assert.equal(edge?.to, 'default/frontend');
  assert.deepEqual(edge?.sources.map((s) => s.path).sort(), [
    'spec.ports[0]', 'spec.template.spec.containers[0].env[0]', 'spec.template.spec.initContainers[0].env[0]',
  ]);
  const init = result.models.find((m) => m.workload?.container === 'frontend-check');
  assert.equal(init?.id, 'sha256:fd8d9aa63ba2f0982b5304e1ee8d3b90a210bc1ffb5314d980eb6962f1a9715d');
  assert.deepEqual(init?.processes.map((p) => [p.path, p.role]), [['/bin/sh', 'init']]);
  assert.deepEqual(init?.network.egress.map((e) => [e.host, e.port, e.protocol]), [['frontend', 80, 'tcp']]);
  assert.deepEqual(init?.network.dns.map((d) => d.name), ['frontend']);
  const node = result.supermodels[0]!.nodes.find((n) => n.id === 'default/loadgenerator');
  assert.deepEqual(node?.models.sort(), [init!.id, 'k8s:default/Deployment/loadgenerator/main'].sort());
});

test('Online Boutique: the whole folder reports each second definition once and doubles nothing', () => {
  const result = analyzeFiles(DIR);
  const duplicates = result.findings.filter((f) => f.code === 'TN010');
  // 12 Deployments and 12 Services (frontend and frontend-external) are in both the per-service files and the bundle.
  assert.equal(duplicates.length, 24);
  assert.ok(duplicates.every((f) => f.severity === 'info' && f.location.path === 'metadata.name'));
  const frontend = result.models.find((m) => m.id === 'k8s:default/Deployment/frontend/server');
  assert.equal(frontend?.network.egress.length, 8);
  assert.ok(frontend?.network.egress.every((e) => e.sources.length === 1));
  // One env var and one Service port per edge; the load generator's init container names the frontend too.
  assert.ok(result.supermodels[0]!.edges.every((e) => e.sources.length === (e.from === 'default/loadgenerator' ? 3 : 2)));
});
