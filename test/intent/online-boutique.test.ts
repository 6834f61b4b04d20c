import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Analysis } from '../../src/model/index.ts';
import { FIXTURES } from '../fixtures.ts';
import { analyzePaths } from './analyze-input.ts';

const DIR = join(FIXTURES, 'kubernetes/microservices-demo');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected/online-boutique-edges.json'), 'utf8')) as {
  internal_edges: Array<{ src: string; dst: string; service_port: number; pod_port: number }>;
};
const EXPECTED = expected.internal_edges
  .map((e) => `default/${e.src} -> default/${e.dst} ${e.service_port}->${e.pod_port}`)
  .sort();

function edgesOf(analysis: Analysis): string[] {
  const app = analysis.supermodels.find((s) => s.app === 'default');
  assert.ok(app, 'a supermodel for namespace default');
  return app.edges.map((e) => `${e.from} -> ${e.to} ${e.port}->${e.targetPort}`).sort();
}

const perServiceFiles = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml' && !f.startsWith('release-'))
  .map((f) => join(DIR, f));

for (const [name, paths] of [
  ['the release bundle', [join(DIR, 'release-kubernetes-manifests.yaml')]],
  ['the per-service files', perServiceFiles],
  ['the whole folder (both, plus Istio and kustomize files)', [DIR]],
] as const) {
  test(`Online Boutique from ${name}: exactly the 16 expected internal edges`, () => {
    const analysis = analyzePaths(...paths);
    assert.equal(EXPECTED.length, 16);
    assert.deepEqual(edgesOf(analysis), EXPECTED);
    const app = analysis.supermodels.find((s) => s.app === 'default')!;
    assert.equal(app.nodes.length, 12, 'eleven services and the load generator');
    assert.ok(!app.edges.some((e) => e.to.includes('shoppingassistant')), 'no edge to a service that is not deployed');
    assert.ok(app.edges.every((e) => e.protocol === 'tcp' && e.sources.length > 0));
  });
}

test('Online Boutique: the email edge keeps both ports and its evidence', () => {
  const analysis = analyzePaths(join(DIR, 'release-kubernetes-manifests.yaml'));
  const edge = analysis.supermodels[0]?.edges.find((e) => e.to === 'default/emailservice');
  assert.equal(edge?.from, 'default/checkoutservice');
  assert.equal(edge?.port, 5000);
  assert.equal(edge?.targetPort, 8080);
  assert.ok(edge?.sources.some((s) => s.kind === 'declared' && s.path?.includes('env') && s.line !== undefined));
  // The undeployed shopping assistant stays an egress entry of the frontend, reported as unresolved.
  const frontend = analysis.models.find((m) => m.workload?.name === 'frontend' && m.workload.kind === 'Deployment');
  assert.ok(frontend?.network.egress.some((e) => e.host === 'shoppingassistantservice' && e.port === 80));
  assert.ok(analysis.findings.some((f) => f.code === 'TN011' && f.message.includes('shoppingassistantservice')));
});

test('Online Boutique: the whole folder models each container once and reports the duplicates', () => {
  const analysis = analyzePaths(DIR);
  const ids = analysis.models.map((m) => m.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(analysis.models.filter((m) => m.workload?.name === 'frontend' && m.workload.kind === 'Deployment').length, 1);
  assert.ok(analysis.findings.some((f) => f.code === 'TN010'));
  assert.ok(analysis.findings.filter((f) => f.code === 'TN006').length >= 2, 'kustomization and Istio files skipped with info');
});
