import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Supermodel, SupermodelEdge } from '../../src/model/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { FIXTURES } from '../fixtures.ts';
import { tenet } from '../run-cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tenet-cli-whatif-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const SHOP = new URL('../../lab/shop/compose.yaml', import.meta.url).pathname;
const BOUTIQUE = join(FIXTURES, 'kubernetes/microservices-demo/release-kubernetes-manifests.yaml');

const seen = (from: string, to: string, port: number, count: number): SupermodelEdge => ({
  from, to, port, targetPort: port, protocol: 'tcp', sources: [{ kind: 'learned' }], state: 'learned', count, firstSeen: '2026-11-30T10:00:00.000Z', lastSeen: '2026-11-30T10:05:00.000Z',
});
const graph = (app: string, edges: SupermodelEdge[]): Supermodel => ({
  apiVersion: 'tenet/v1', kind: 'Supermodel', app, nodes: [...new Set(edges.flatMap((e) => [e.from, e.to]))].map((id) => ({ id, models: [] })), edges,
});

async function data(...graphs: Supermodel[]): Promise<string> {
  const dir = mkdtempSync(join(tmp, 'data-'));
  const store = new SqliteStore(dir);
  await store.putSupermodels(graphs);
  await store.close();
  return dir;
}

test('whatif: the compose file as the proposal blocks the one edge it does not declare', async () => {
  const dir = await data(graph('shop', [
    seen('shop/web', 'shop/api', 3000, 40), seen('shop/api', 'shop/redis', 6379, 40), seen('shop/worker', 'shop/redis', 6379, 12), seen('shop/web', 'shop/redis', 6379, 1),
  ]));
  const run = tenet(['whatif', SHOP, '--data', dir]);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, '1 of 4 edges seen would have been blocked:\n  shop: shop/web → shop/redis 6379/tcp  ×1, last 2026-11-30T10:05:00.000Z\n');
  const json = JSON.parse(tenet(['whatif', SHOP, '--data', dir, '--format', 'json']).stdout) as Array<{ app: string; edge: SupermodelEdge }>;
  assert.deepEqual(json.map((b) => [b.app, b.edge.from, b.edge.to]), [['shop', 'shop/web', 'shop/redis']]);
});

test('whatif --policies: the generated NetworkPolicies as the proposal, applied to the workloads of the manifests', async () => {
  const dir = await data(graph('default', [
    seen('default/frontend', 'default/cartservice', 7070, 30), seen('default/checkoutservice', 'default/emailservice', 8080, 2),
    seen('default/frontend', 'default/redis-cart', 6379, 1), seen('default/loadgenerator', 'default/cartservice', 7070, 1),
  ]));
  const policies = join(tmp, 'policies.yaml');
  writeFileSync(policies, tenet(['generate', 'networkpolicy', BOUTIQUE]).stdout);
  const run = tenet(['whatif', BOUTIQUE, '--policies', policies, '--data', dir]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^2 of 4 edges seen would have been blocked:\n/);
  assert.match(run.stdout, /default\/frontend → default\/redis-cart 6379\/tcp/);
  assert.match(run.stdout, /default\/loadgenerator → default\/cartservice 7070\/tcp/);
  const none = tenet(['whatif', BOUTIQUE, '--policies', join(tmp, 'missing.yaml'), '--data', dir]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /ERR_PATH_NOT_FOUND/);
});
