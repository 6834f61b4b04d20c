import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Supermodel } from '../../src/model/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { tenet } from '../run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'tenet-cli-supermodel-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const SHOP = new URL('../../lab/shop/compose.yaml', import.meta.url).pathname;

test('tenet supermodel prints the learned graphs, joined to the declared ones of PATH…: drift both ways', async () => {
  const store = new SqliteStore(dir);
  const times = { firstSeen: '2026-11-30T10:00:00.000Z', lastSeen: '2026-11-30T10:05:00.000Z' };
  const learned: Supermodel = {
    apiVersion: 'tenet/v1', kind: 'Supermodel', app: 'shop',
    nodes: ['shop/api', 'shop/redis', 'shop/web'].map((id) => ({ id, models: [`sha256:${id.slice(5)}`] })),
    edges: [
      { from: 'shop/web', to: 'shop/api', port: 3000, targetPort: 3000, protocol: 'tcp', sources: [{ kind: 'learned', ...times }], state: 'learned', count: 12, ...times },
      { from: 'shop/web', to: 'shop/redis', port: 6379, targetPort: 6379, protocol: 'tcp', sources: [{ kind: 'learned', ...times }], state: 'anomalous', count: 1, ...times },
    ],
    outside: [{ from: 'shop/api', address: '203.0.113.7', port: 443, protocol: 'tcp', class: 'internet', name: 'api.stripe.com', count: 3, ...times }],
  };
  await store.putSupermodels([learned, { ...learned, app: 'other', edges: [], outside: [] }]);
  await store.close();

  const alone = tenet(['supermodel', '--data', dir, '--app', 'shop']);
  assert.equal(alone.status, 0, alone.stderr);
  assert.equal(alone.stdout, [
    'Application shop: 3 workloads, 2 edges, 1 flows outside',
    '  learned   shop/web → shop/api 3000/tcp  ×12, last 2026-11-30T10:05:00.000Z',
    '  anomalous shop/web → shop/redis 6379/tcp  ×1, last 2026-11-30T10:05:00.000Z',
    '  outside   shop/api → api.stripe.com (internet, 203.0.113.7) 443/tcp  ×3',
    '',
  ].join('\n'));

  const joined = JSON.parse(tenet(['supermodel', SHOP, '--data', dir, '--app', 'shop', '--format', 'json']).stdout) as Supermodel[];
  assert.deepEqual(joined[0]!.edges.map((e) => `${e.from}>${e.to} ${e.state}`), [
    'shop/api>shop/redis declared', 'shop/web>shop/api both', 'shop/web>shop/redis anomalous', 'shop/worker>shop/redis declared',
  ]);
  assert.deepEqual(joined[0]!.nodes.find((n) => n.id === 'shop/web')!.models, ['compose:shop/web', 'sha256:web']);
  assert.deepEqual((JSON.parse(tenet(['supermodel', '--data', dir, '--format', 'json']).stdout) as Supermodel[]).map((s) => s.app), ['other', 'shop']);
});
