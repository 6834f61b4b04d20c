import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { Analysis } from '../src/model/index.ts';
import { tenet } from './run-cli.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

test('the demo: the example shop is modelled from its Dockerfile, Kubernetes and Compose files', () => {
  const run = tenet(['analyze', 'examples/shop', '--format', 'json', '--fail-on', 'none'], { cwd: ROOT });
  assert.equal(run.status, 0, run.stderr);
  const { models, supermodels, findings } = Analysis.parse(JSON.parse(run.stdout));

  const shop = supermodels.find((s) => s.app === 'shop');
  assert.deepEqual(shop?.edges.map((e) => [e.from, e.to, e.port, e.targetPort]), [
    ['shop/api', 'shop/cache', 6379, 6379],
    ['shop/web', 'shop/api', 3000, 3000],
  ]);

  // Compose builds the API from its Dockerfile: the image's intent, overridden by the service.
  const api = models.find((m) => m.id === 'compose:shop-dev/api');
  assert.ok(api, 'compose api model');
  assert.deepEqual(api.processes.filter((p) => p.role === 'main').map((p) => p.argv), [['node', 'server.js']]);
  assert.deepEqual(api.network.listen.map((l) => l.port), [3000]);
  assert.equal(api.security.user?.value, 'node');
  assert.ok(api.processes.some((p) => p.role === 'healthcheck' && p.path === 'node'));
  assert.ok(api.network.listen[0]?.sources.some((s) => s.format === 'dockerfile' && s.instruction === 'EXPOSE ${PORT}'));

  const k8sApi = models.find((m) => m.workload?.kind === 'Deployment' && m.workload.name === 'api');
  assert.deepEqual(k8sApi?.network.egress.map((e) => [e.host, e.port]).sort(), [['cache', 6379], ['payments.example.net', 443]]);
  assert.ok(findings.some((f) => f.code === 'TN112' && f.message.includes('SESSION_SECRET')));
  assert.ok(findings.some((f) => f.code === 'TN107' && f.message.includes('SYS_RESOURCE')));
});

test('the demo script runs and prints the readable report', () => {
  const run = tenet(['analyze', 'examples/shop', '--fail-on', 'none'], { cwd: ROOT });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /k8s:shop: \d+ workloads, \d+ edges/);
  assert.match(run.stdout, /compose:shop-dev: \d+ workloads, \d+ edges/);
  assert.match(run.stdout, /shop\/web → shop\/api\s+3000\/tcp/);
});
