import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { emptyModel, type Audit, type RuntimeEvent } from '../../src/model/index.ts';
import { SqliteStore, STORE_FILE } from '../../src/store/index.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'tenet-store-'));
const event = (i: number): RuntimeEvent => ({ kind: 'syscall', time: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`, source: 'tenet', syscall: `s${i}` });
const audit = (id: string, time: string): Audit => ({
  id, time, rule: 'drift', severity: 'critical', message: 'm', container: { id: 'c1' }, model: 'sha256:a', event: event(1),
});

test('models, containers, events, audits, status and commands survive a reopen of the file', () => {
  const d = dir();
  const store = new SqliteStore(d, { maxEvents: 5 });
  const model = emptyModel('sha256:a');
  store.putModels([model]);
  store.putModels([{ ...model, state: 'active' }]);
  store.putContainer({ id: 'c1', name: 'web', image: 'nginx', imageId: 'sha256:a', running: true, model: 'sha256:a' });
  store.addEvents(Array.from({ length: 8 }, (_, i) => ({ event: event(i), container: 'c1' })));
  store.addAudits([audit('a1', '2026-01-01T00:00:01Z'), audit('a2', '2026-01-01T00:00:02Z')]);
  store.addAudits([audit('a1', '2026-01-01T00:00:01Z')]);
  store.putStatus('defender', { running: true });
  store.enqueueCommand({ action: 'extend', model: 'sha256:a', seconds: 60 });
  store.close();

  const again = new SqliteStore(d, { maxEvents: 5 });
  assert.deepEqual(again.models().map((m) => [m.id, m.state]), [['sha256:a', 'active']]);
  assert.deepEqual(again.containers().map((c) => c.name), ['web']);
  assert.deepEqual(again.events().map((e) => e.syscall), ['s3', 's4', 's5', 's6', 's7'], 'the oldest events go past the bound');
  assert.deepEqual(again.events({ limit: 2 }).map((e) => e.syscall), ['s6', 's7']);
  assert.deepEqual(again.audits().map((a) => a.id), ['a1', 'a2'], 'an audit stored twice is one audit');
  assert.deepEqual(again.audits({ since: '2026-01-01T00:00:02Z' }).map((a) => a.id), ['a2']);
  assert.deepEqual(again.status('defender')?.value, { running: true });
  assert.deepEqual(again.takeCommands(), [{ action: 'extend', model: 'sha256:a', seconds: 60 }]);
  assert.deepEqual(again.takeCommands(), [], 'a command is taken once');
  again.removeContainer('c1');
  assert.deepEqual(again.containers(), []);
  again.close();
});

test('a store written by a newer Tenet is refused, not damaged', () => {
  const d = dir();
  new SqliteStore(d).close();
  const db = new DatabaseSync(join(d, STORE_FILE));
  db.exec('PRAGMA user_version = 99');
  db.close();
  assert.throws(() => new SqliteStore(d), /written by a newer Tenet \(schema 99/);
});

test('a reader sees what a writer wrote while the writer still has the file open', () => {
  const d = dir();
  const writer = new SqliteStore(d);
  writer.putStatus('defender', { n: 1 });
  const reader = new SqliteStore(d);
  assert.deepEqual(reader.status('defender')?.value, { n: 1 });
  writer.putStatus('defender', { n: 2 });
  assert.deepEqual(reader.status('defender')?.value, { n: 2 });
  reader.close();
  writer.close();
});

test('two processes opening a new data folder at once both get a whole store', async () => {
  const { spawn } = await import('node:child_process');
  const d = dir();
  const script = `const { SqliteStore } = await import(${JSON.stringify(new URL('../../src/store/index.ts', import.meta.url).href)}); const s = new SqliteStore(process.argv[1]); s.putStatus(String(process.pid), 1); s.close();`;
  const run = () => new Promise<number | null>((resolve) => spawn(process.execPath, ['--input-type=module', '-e', script, d], { stdio: 'inherit' }).on('close', resolve));
  assert.deepEqual(await Promise.all([run(), run(), run(), run()]), [0, 0, 0, 0]);
  const store = new SqliteStore(d);
  assert.deepEqual(store.models(), []);
  store.close();
});

test('modes: a setting replaces the one of the same scope and dimension, and can be removed', () => {
  const d = dir();
  const store = new SqliteStore(d);
  store.putMode({ scope: { kind: 'all' }, mode: 'alert', setAt: '2026-01-01T00:00:00Z' });
  store.putMode({ scope: { kind: 'image', value: 'nginx' }, dimension: 'processes', mode: 'prevent', setAt: '2026-01-01T00:00:01Z' });
  store.putMode({ scope: { kind: 'image', value: 'nginx' }, dimension: 'processes', mode: 'alert', setAt: '2026-01-01T00:00:02Z' });
  store.close();
  const again = new SqliteStore(d);
  assert.deepEqual(again.modes().map((m) => [m.scope.kind, m.dimension, m.mode]), [['all', undefined, 'alert'], ['image', 'processes', 'alert']]);
  assert.ok(again.removeMode({ scope: { kind: 'image', value: 'nginx' }, dimension: 'processes' }));
  assert.ok(!again.removeMode({ scope: { kind: 'image', value: 'nginx' } }), 'the setting for every dimension was never there');
  assert.equal(again.modes().length, 1);
  again.close();
});

test('supermodels: one per application, replaced as the defender learns more', () => {
  const d = dir();
  const store = new SqliteStore(d);
  const graph = (count: number) => ({
    apiVersion: 'tenet/v1' as const, kind: 'Supermodel' as const, app: 'shop', nodes: [{ id: 'shop/web', models: [] }, { id: 'shop/api', models: [] }],
    edges: [{ from: 'shop/web', to: 'shop/api', port: 3000, targetPort: 3000, protocol: 'tcp' as const, sources: [{ kind: 'learned' as const }], state: 'learned' as const, count }],
  });
  store.putSupermodels([graph(1), { ...graph(2), app: 'billing', edges: [] }]);
  store.putSupermodels([graph(5)]);
  store.close();
  const again = new SqliteStore(d);
  assert.deepEqual(again.supermodels().map((s) => [s.app, s.edges[0]?.count]), [['billing', undefined], ['shop', 5]]);
  again.close();
});

test('an outbox keeps every write for the console, in order, upserts coalesced, until acknowledged; past its bound the oldest go and are counted', () => {
  const d = dir();
  const store = new SqliteStore(d, { outbox: { max: 6 } });
  const model = emptyModel('sha256:a');
  store.addEvents([{ event: event(1), container: 'c1' }, { event: event(2) }]);
  store.putModels([model]);
  store.addAudits([audit('a1', '2026-01-01T00:00:01Z')]);
  store.putModels([{ ...model, state: 'active' }]);
  store.putStatus('defender', { n: 1 });
  const records = store.outbox(0, 100);
  assert.deepEqual(records.map((r) => [r.kind, r.key]), [['event', null], ['event', null], ['audit', null], ['model', 'sha256:a'], ['status', 'defender']]);
  assert.deepEqual(JSON.parse(records[0]!.body), { event: event(1), container: 'c1' });
  assert.equal(JSON.parse(records[3]!.body).state, 'active', 'the newest copy of an upsert, in the place of its last write');
  assert.deepEqual(store.outbox(records[1]!.seq, 2).map((r) => r.kind), ['audit', 'model']);
  store.acknowledge(records[2]!.seq);
  assert.deepEqual(store.outbox(0, 100).map((r) => r.kind), ['model', 'status']);
  store.addEvents(Array.from({ length: 7 }, (_, i) => ({ event: event(10 + i) })));
  assert.deepEqual(store.outboxState(), { pending: 6, dropped: 3 });
  assert.deepEqual(store.outbox(0, 100).map((r) => JSON.parse(r.body).event.syscall), ['s11', 's12', 's13', 's14', 's15', 's16'], 'the oldest went first');
  store.close();
  const again = new SqliteStore(d, { outbox: { max: 6 } });
  assert.deepEqual(again.outboxState(), { pending: 6, dropped: 3 }, 'the outbox and its count survive a restart');
  again.close();
  const plain = new SqliteStore(dir());
  plain.addEvents([{ event: event(1) }]);
  assert.deepEqual(plain.outboxState(), { pending: 0, dropped: 0 }, 'without an outbox nothing is kept for a console');
  plain.close();
});
