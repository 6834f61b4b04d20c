import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { emptyModel, type Audit, type RuntimeEvent } from '../../src/model/index.ts';
import { isStoreBusy, SqliteStore, STORE_FILE } from '../../src/store/index.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'tenet-store-'));
const event = (i: number): RuntimeEvent => ({ kind: 'syscall', time: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`, source: 'tenet', syscall: `s${i}` });
const audit = (id: string, time: string): Audit => ({
  id, time, rule: 'drift', severity: 'critical', message: 'm', container: { id: 'c1' }, model: 'sha256:a', event: event(1),
});

test('models, containers, events, audits, status and commands survive a reopen of the file', async () => {
  const d = dir();
  const store = new SqliteStore(d, { maxEvents: 5 });
  const model = emptyModel('sha256:a');
  await store.putModels([model]);
  await store.putModels([{ ...model, state: 'active' }]);
  await store.putContainer({ id: 'c1', name: 'web', image: 'nginx', imageId: 'sha256:a', running: true, model: 'sha256:a' });
  await store.addEvents(Array.from({ length: 8 }, (_, i) => ({ event: event(i), container: 'c1' })));
  await store.addAudits([audit('a1', '2026-01-01T00:00:01Z'), audit('a2', '2026-01-01T00:00:02Z')]);
  await store.addAudits([audit('a1', '2026-01-01T00:00:01Z')]);
  await store.putStatus('defender', { running: true });
  await store.enqueueCommand({ action: 'extend', model: 'sha256:a', seconds: 60 });
  await store.close();

  const again = new SqliteStore(d, { maxEvents: 5 });
  assert.deepEqual((await again.models()).map((m) => [m.id, m.state]), [['sha256:a', 'active']]);
  assert.deepEqual((await again.containers()).map((c) => c.name), ['web']);
  assert.deepEqual((await again.events()).map((e) => e.syscall), ['s3', 's4', 's5', 's6', 's7'], 'the oldest events go past the bound');
  assert.deepEqual((await again.events({ limit: 2 })).map((e) => e.syscall), ['s6', 's7']);
  assert.deepEqual((await again.audits()).map((a) => a.id), ['a1', 'a2'], 'an audit stored twice is one audit');
  assert.deepEqual((await again.audits({ since: '2026-01-01T00:00:02Z' })).map((a) => a.id), ['a2']);
  assert.deepEqual((await again.status('defender'))?.value, { running: true });
  assert.deepEqual(await again.takeCommands(), [{ action: 'extend', model: 'sha256:a', seconds: 60 }]);
  assert.deepEqual(await again.takeCommands(), [], 'a command is taken once');
  await again.removeContainer('c1');
  assert.deepEqual(await again.containers(), []);
  await again.close();
});

test('a store written by a newer Tenet is refused, not damaged', async () => {
  const d = dir();
  await new SqliteStore(d).close();
  const db = new DatabaseSync(join(d, STORE_FILE));
  db.exec('PRAGMA user_version = 99');
  db.close();
  assert.throws(() => new SqliteStore(d), /written by a newer Tenet \(schema 99/);
});

test('a reader sees what a writer wrote while the writer still has the file open', async () => {
  const d = dir();
  const writer = new SqliteStore(d);
  await writer.putStatus('defender', { n: 1 });
  const reader = new SqliteStore(d);
  assert.deepEqual((await reader.status('defender'))?.value, { n: 1 });
  await writer.putStatus('defender', { n: 2 });
  assert.deepEqual((await reader.status('defender'))?.value, { n: 2 });
  await reader.close();
  await writer.close();
});

test('a store at its version opens and reads at once while another process holds the write lock; a write that waits past the bound is told apart', async () => {
  const d = dir();
  await new SqliteStore(d).close();
  const holder = new DatabaseSync(join(d, STORE_FILE));
  holder.exec('BEGIN IMMEDIATE');
  try {
    const started = Date.now();
    const reader = new SqliteStore(d);
    assert.deepEqual(await reader.models(), []);
    assert.ok(Date.now() - started < 1000, 'no wait for the write lock to open');
    await reader.close();
    const writer = new DatabaseSync(join(d, STORE_FILE));
    writer.exec('PRAGMA busy_timeout = 10');
    assert.throws(() => writer.exec("INSERT INTO status (key, updated_at, body) VALUES ('x', '', '1')"), (e) => isStoreBusy(e));
    writer.close();
  } finally {
    holder.exec('ROLLBACK');
    holder.close();
  }
  assert.equal(isStoreBusy(new Error('database is locked')), false);
});

test('two processes opening a new data folder at once both get a whole store', async () => {
  const { spawn } = await import('node:child_process');
  const d = dir();
  const script = `const { SqliteStore } = await import(${JSON.stringify(new URL('../../src/store/index.ts', import.meta.url).href)}); const s = new SqliteStore(process.argv[1]); await s.putStatus(String(process.pid), 1); await s.close();`;
  const run = () => new Promise<number | null>((resolve) => spawn(process.execPath, ['--input-type=module', '-e', script, d], { stdio: 'inherit' }).on('close', resolve));
  assert.deepEqual(await Promise.all([run(), run(), run(), run()]), [0, 0, 0, 0]);
  const store = new SqliteStore(d);
  assert.deepEqual(await store.models(), []);
  await store.close();
});

test('modes: a setting replaces the one of the same scope and dimension, and can be removed', async () => {
  const d = dir();
  const store = new SqliteStore(d);
  await store.putMode({ scope: { kind: 'all' }, mode: 'alert', setAt: '2026-01-01T00:00:00Z' });
  await store.putMode({ scope: { kind: 'image', value: 'nginx' }, dimension: 'processes', mode: 'prevent', setAt: '2026-01-01T00:00:01Z' });
  await store.putMode({ scope: { kind: 'image', value: 'nginx' }, dimension: 'processes', mode: 'alert', setAt: '2026-01-01T00:00:02Z' });
  await store.close();
  const again = new SqliteStore(d);
  assert.deepEqual((await again.modes()).map((m) => [m.scope.kind, m.dimension, m.mode]), [['all', undefined, 'alert'], ['image', 'processes', 'alert']]);
  assert.ok(await again.removeMode({ scope: { kind: 'image', value: 'nginx' }, dimension: 'processes' }));
  assert.ok(!(await again.removeMode({ scope: { kind: 'image', value: 'nginx' } })), 'the setting for every dimension was never there');
  assert.equal((await again.modes()).length, 1);
  await again.close();
});

test('supermodels: one per application, replaced as the defender learns more', async () => {
  const d = dir();
  const store = new SqliteStore(d);
  const graph = (count: number) => ({
    apiVersion: 'tenet/v1' as const, kind: 'Supermodel' as const, app: 'shop', nodes: [{ id: 'shop/web', models: [] }, { id: 'shop/api', models: [] }],
    edges: [{ from: 'shop/web', to: 'shop/api', port: 3000, targetPort: 3000, protocol: 'tcp' as const, sources: [{ kind: 'learned' as const }], state: 'learned' as const, count }],
  });
  await store.putSupermodels([graph(1), { ...graph(2), app: 'billing', edges: [] }]);
  await store.putSupermodels([graph(5)]);
  await store.close();
  const again = new SqliteStore(d);
  assert.deepEqual((await again.supermodels()).map((s) => [s.app, s.edges[0]?.count]), [['billing', undefined], ['shop', 5]]);
  await again.close();
});

test('an outbox keeps every write for the console, in order, upserts coalesced, until acknowledged; past its bound the oldest go and are counted', async () => {
  const d = dir();
  const store = new SqliteStore(d, { outbox: { max: 6 } });
  const model = emptyModel('sha256:a');
  await store.addEvents([{ event: event(1), container: 'c1' }, { event: event(2) }]);
  await store.putModels([model]);
  await store.addAudits([audit('a1', '2026-01-01T00:00:01Z')]);
  await store.putModels([{ ...model, state: 'active' }]);
  await store.putStatus('defender', { n: 1 });
  const records = await store.outbox(0, 100);
  assert.deepEqual(records.map((r) => [r.kind, r.key]), [['event', null], ['event', null], ['audit', null], ['model', 'sha256:a'], ['status', 'defender']]);
  assert.deepEqual(JSON.parse(records[0]!.body), { event: event(1), container: 'c1' });
  assert.equal(JSON.parse(records[3]!.body).state, 'active', 'the newest copy of an upsert, in the place of its last write');
  assert.deepEqual((await store.outbox(records[1]!.seq, 2)).map((r) => r.kind), ['audit', 'model']);
  await store.acknowledge(records[2]!.seq);
  assert.deepEqual((await store.outbox(0, 100)).map((r) => r.kind), ['model', 'status']);
  await store.addEvents(Array.from({ length: 7 }, (_, i) => ({ event: event(10 + i) })));
  assert.deepEqual(await store.outboxState(), { pending: 6, dropped: 3 });
  assert.deepEqual((await store.outbox(0, 100)).map((r) => JSON.parse(r.body).event.syscall), ['s11', 's12', 's13', 's14', 's15', 's16'], 'the oldest went first');
  await store.close();
  const again = new SqliteStore(d, { outbox: { max: 6 } });
  assert.deepEqual(await again.outboxState(), { pending: 6, dropped: 3 }, 'the outbox and its count survive a restart');
  await again.close();
  const plain = new SqliteStore(dir());
  await plain.addEvents([{ event: event(1) }]);
  assert.deepEqual(await plain.outboxState(), { pending: 0, dropped: 0 }, 'without an outbox nothing is kept for a console');
  await plain.close();
});
