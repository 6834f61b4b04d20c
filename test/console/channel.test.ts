// The defender channel over real sockets: a console (TLS, its own certificate), defenders' outboxes, and faults.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { postgresBin, startPostgres, type PostgresServer } from '../../lab/postgres.ts';
import { secretHash, newSecret, TOKEN_PREFIX } from '../../src/console/auth.ts';
import { selfSignedTls, serveConsole, type RunningConsole, type Tls } from '../../src/console/index.ts';
import { enroll, Uplink } from '../../src/defender/index.ts';
import { emptyModel, type IntentModel, type RuntimeEvent } from '../../src/model/index.ts';
import { PostgresStore, SqliteStore, type Store } from '../../src/store/index.ts';

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const event = (name: string): RuntimeEvent => ({ kind: 'syscall', time: new Date().toISOString(), source: 'tenet', container: { id: 'c1' }, syscall: name });

/** Waits until `done` holds (polled), or fails saying what it waited for. */
async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!(await done())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** An enrollment token put straight into a console's store, and a defender enrolled with it. */
async function enrolled(store: Store, url: string, tls?: Tls): Promise<{ id: string; token: string }> {
  const secret = newSecret(TOKEN_PREFIX);
  await store.putUser({ name: 'admin', role: 'admin', passwordHash: 'x', createdAt: new Date().toISOString() });
  await store.putToken({ id: randomUUID(), name: 'enroll', user: 'admin', role: 'defender', hash: secretHash(secret), createdAt: new Date().toISOString(), enroll: true });
  return enroll(url, secret, { name: 'node-1', hostname: 'node-1', version: '0.0.0-test' }, tls?.cert);
}

/** The names of the syscall events a store holds, sorted (duplicates kept: a duplicate is a failure). */
async function names(store: Store | SqliteStore): Promise<string[]> {
  const events = await store.events({ limit: 1_000_000 });
  return events.map((e) => e.syscall!).sort();
}

const logs: Array<Record<string, unknown>> = [];
const quiet = (e: Record<string, unknown>) => logs.push(e);

test('a defender\'s outbox reaches the console once; modes, suppressions, feeds and commands come back', async () => {
  const store = new SqliteStore(tmp('tenet-console-'));
  const tls = await selfSignedTls(tmp('tenet-tls-'));
  const running = await serveConsole({ store, version: '0.0.0-test', port: 0, host: '127.0.0.1', tls, log: quiet, replica: 'a' });
  const local = new SqliteStore(tmp('tenet-defender-'), { outbox: { max: 100_000 } });
  try {
    const me = await enrolled(store, running.url, tls);
    await local.addEvents(Array.from({ length: 2500 }, (_, i) => ({ event: event(`s${i}`), container: 'c1' })));
    await local.addAudits([{ id: 'a1', time: '2026-01-01T00:00:00Z', rule: 'drift', severity: 'critical', message: 'm', container: { id: 'c1' }, event: event('x') }]);
    await local.putModels([emptyModel('sha256:1', { image: 'nginx:1' })]);
    await local.putContainer({ id: 'c1', name: 'web', image: 'nginx:1', imageId: 'sha256:1', running: true, model: 'sha256:1' });
    await local.putStatus('defender', { running: true });
    const received: IntentModel[] = [];
    const uplink = new Uplink({ store: local, urls: [running.url], token: me.token, version: '0.0.0-test', ca: tls.cert, batch: 400, onModels: (models) => received.push(...models) });
    uplink.start();
    await until('the outbox to empty', async () => (await local.outboxState()).pending === 0);
    assert.equal((await names(store)).length, 2500);
    assert.deepEqual((await store.audits()).map((a) => a.id), ['a1']);
    assert.deepEqual((await store.models()).map((m) => m.id), ['sha256:1']);
    assert.deepEqual((await store.containers()).map((c) => [c.id, c.defender]), [['c1', me.id]]);
    await until('the defender to be listed as connected', async () => (await store.defenders())[0]?.connected === true);
    const record = (await store.defenders())[0]!;
    assert.equal(record.replica, 'a');
    assert.deepEqual(record.status, { running: true });

    await store.putMode({ scope: { kind: 'image', value: 'nginx' }, mode: 'prevent', setAt: new Date().toISOString() });
    await store.putSuppression({ id: 's1', rule: 'drift', reason: 'an updater', createdAt: new Date().toISOString() });
    await store.putFeed({ name: 'c2', source: 'api', format: 'list', loadedAt: new Date().toISOString(), notes: [], indicators: [{ kind: 'ip', value: '203.0.113.7', provenance: { feed: 'c2', format: 'list' } }] });
    await store.enqueueCommand({ action: 'relearn', model: 'sha256:1' });
    await until('the policy to reach the defender', async () => (await local.modes()).length === 1 && (await local.suppressions()).length === 1 && (await local.feeds()).length === 1);
    assert.deepEqual((await local.feedIndicators()).map((i) => i.value), ['203.0.113.7']);
    const commands: unknown[] = [];
    await until('the command to reach the defender', async () => (commands.push(...(await local.takeCommands())), commands.length > 0));
    assert.deepEqual(commands, [{ action: 'relearn', model: 'sha256:1' }]);
    assert.equal(received.length, 0, 'a model still static here is not sent');
    await store.putModels([{ ...emptyModel('sha256:1', { image: 'nginx:1' }), state: 'active' }]);
    await until('the model, active now (learned on another node), to reach the defender', () => received.length === 1);
    assert.deepEqual(received.map((m) => [m.id, m.state]), [['sha256:1', 'active']]);
    await store.removeMode({ scope: { kind: 'image', value: 'nginx' } });
    await until('a removed mode to go from the defender', async () => (await local.modes()).length === 0);
    await sleep(1500);
    assert.deepEqual(await local.takeCommands(), [], 'a command is delivered once');
    assert.equal((await store.defenders())[0]!.lastCommand !== undefined, true);
    await uplink.stop();
    await until('the defender to be listed as gone', async () => (await store.defenders())[0]?.connected === false);
  } finally {
    await running.close();
    await local.close();
  }
});

test('the channel refuses strangers and malformed frames; a bad record is skipped, counted, and the rest stored', async () => {
  const store = new SqliteStore(tmp('tenet-console-'));
  const running = await serveConsole({ store, version: '0.0.0-test', port: 0, host: '127.0.0.1', tls: undefined, log: quiet });
  try {
    const me = await enrolled(store, running.url);
    const channel = `${running.url.replace('http', 'ws')}/api/v1/defenders/channel`;
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(channel, { headers: { authorization: 'Bearer tnt_nope' } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
      ws.on('error', () => {});
    });
    assert.equal(refused, 401);

    const open = () => new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(channel, { headers: { authorization: `Bearer ${me.token}` } });
      ws.on('open', () => resolve(ws));
      ws.on('error', reject);
    });
    const replies = (ws: WebSocket) => {
      const got: Array<Record<string, unknown>> = [];
      ws.on('message', (d) => got.push(JSON.parse(d.toString()) as Record<string, unknown>));
      return got;
    };
    const early = await open();
    const earlyReplies = replies(early);
    const earlyClosed = new Promise<number>((resolve) => early.on('close', (code) => resolve(code)));
    early.send(JSON.stringify({ type: 'batch', records: [{ seq: 1, kind: 'event', key: null, body: { event: event('early') } }] }));
    assert.equal(await earlyClosed, 1008, 'a batch before the hello closes the channel');
    assert.ok(earlyReplies.some((m) => m.type === 'error'));

    const ws = await open();
    const got = replies(ws);
    ws.send(JSON.stringify({ type: 'hello', version: 'test', epoch: 'e1', pending: 0, dropped: 0 }));
    ws.send(JSON.stringify({ type: 'batch', records: [
      { seq: 1, kind: 'event', key: null, body: { event: event('good') } },
      { seq: 2, kind: 'event', key: null, body: { event: { kind: 'nonsense' } } },
      { seq: 3, kind: 'audit', key: null, body: { id: 'a1' } },
    ] }));
    await until('the acknowledgement', () => got.some((m) => m.type === 'ack'));
    assert.deepEqual(got.find((m) => m.type === 'ack'), { type: 'ack', upTo: 3, rejected: 2 });
    assert.deepEqual(await names(store), ['good']);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.send('{"type": "batch", "records": "not a list"');
    assert.equal(await closed, 1008);
    assert.ok(got.some((m) => m.type === 'error' && m.code === 'ERR_BAD_REQUEST'));
    assert.deepEqual(await names(store), ['good'], 'nothing else changed');
    assert.ok(logs.some((e) => e.channel === 'bad-frame') && logs.some((e) => e.channel === 'rejected') && logs.some((e) => e.channel === 'refused'));
  } finally {
    await running.close();
  }
});

test('fault: the console is stopped for a while under event load and comes back: no event lost, none stored twice', async () => {
  const dir = tmp('tenet-console-');
  const store = new SqliteStore(dir);
  let running = await serveConsole({ store, version: '0.0.0-test', port: 0, host: '127.0.0.1', tls: undefined, log: quiet });
  const port = Number(new URL(running.url).port);
  const local = new SqliteStore(tmp('tenet-defender-'), { outbox: { max: 1_000_000 } });
  let written = 0;
  const writer = setInterval(() => {
    local.addEvents(Array.from({ length: 25 }, () => ({ event: event(`s${written++}`) }))).catch(() => {});
  }, 10);
  try {
    const me = await enrolled(store, running.url);
    const uplink = new Uplink({ store: local, urls: [running.url], token: me.token, version: '0.0.0-test', batch: 300 });
    uplink.start();
    await until('events to flow', async () => (await names(store)).length > 1000);
    await running.close();
    const stoppedAt = written;
    await sleep(2500);
    assert.ok(written - stoppedAt > 2000, 'the defender kept going while the console was away');
    assert.ok((await local.outboxState()).pending > 2000, 'and kept what it could not send');
    running = await serveConsole({ store, version: '0.0.0-test', port, host: '127.0.0.1', tls: undefined, log: quiet });
    await sleep(1500);
    clearInterval(writer);
    await until('the backlog to drain', async () => (await local.outboxState()).pending === 0, 60_000);
    const expected = Array.from({ length: written }, (_, i) => `s${i}`).sort();
    assert.deepEqual(await names(store), expected);
    assert.ok(uplink.state().reconnects >= 1);
    await uplink.stop();
  } finally {
    clearInterval(writer);
    await running.close();
    await local.close();
  }
});

test('fault: a defender killed in the middle of its batches loses nothing it had stored, and nothing arrives twice', async () => {
  const store = new SqliteStore(tmp('tenet-console-'));
  const running = await serveConsole({ store, version: '0.0.0-test', port: 0, host: '127.0.0.1', tls: undefined, log: quiet });
  const dataDir = tmp('tenet-defender-');
  try {
    const me = await enrolled(store, running.url);
    const child = new URL('./defender-child.ts', import.meta.url).pathname;
    const run = (mode: 'write' | 'drain') => spawn(process.execPath, [child, mode, dataDir, running.url, me.token], { stdio: ['ignore', 'pipe', 'inherit'] });
    for (let round = 0; round < 3; round++) {
      const p = run('write');
      await new Promise((resolve) => {
        p.stdout!.once('data', resolve);
        p.once('exit', resolve);
      });
      await sleep(300 + round * 200);
      p.kill('SIGKILL');
      await new Promise((resolve) => p.on('exit', resolve));
    }
    const drain = run('drain');
    const code = await new Promise<number | null>((resolve) => drain.on('exit', resolve));
    assert.equal(code, 0);
    const local = new SqliteStore(dataDir, { outbox: { max: 1_000_000 } });
    try {
      assert.equal((await local.outboxState()).pending, 0);
      const stored = await names(local);
      assert.ok(stored.length > 1000, `the children wrote ${stored.length} events`);
      assert.deepEqual(await names(store), stored, 'the console has exactly what the defender stored');
    } finally {
      await local.close();
    }
  } finally {
    await running.close();
  }
});

let pg: PostgresServer | undefined;
after(() => pg?.stop());

test('fault: two consoles on one PostgreSQL; the one a defender uses is killed and it carries on with the other', { skip: postgresBin() === undefined && process.getuid?.() !== 0 ? 'PostgreSQL is not installed and this is not a lab (not root)' : false }, async () => {
  pg = startPostgres();
  const url = await pg.database('replicas');
  const storeA = await PostgresStore.open(url);
  const storeB = await PostgresStore.open(url);
  let a: RunningConsole | undefined = await serveConsole({ store: storeA, version: '0.0.0-test', port: 0, host: '127.0.0.1', tls: undefined, log: quiet, replica: 'a' });
  const b = await serveConsole({ store: storeB, version: '0.0.0-test', port: 0, host: '127.0.0.1', tls: undefined, log: quiet, replica: 'b' });
  const local = new SqliteStore(tmp('tenet-defender-'), { outbox: { max: 1_000_000 } });
  let written = 0;
  const writer = setInterval(() => {
    local.addEvents(Array.from({ length: 25 }, () => ({ event: event(`s${written++}`) }))).catch(() => {});
  }, 10);
  try {
    const me = await enrolled(storeA, a.url);
    const uplink = new Uplink({ store: local, urls: [a.url, b.url], token: me.token, version: '0.0.0-test', batch: 300 });
    uplink.start();
    await until('events to flow through a', async () => (await storeB.defenders())[0]?.replica === 'a' && (await names(storeB)).length > 1000);
    await a.close();
    a = undefined;
    await until('the defender to move to b', async () => (await storeB.defenders())[0]?.replica === 'b' && (await storeB.defenders())[0]?.connected === true);
    await sleep(1000);
    clearInterval(writer);
    await until('the backlog to drain', async () => (await local.outboxState()).pending === 0, 60_000);
    assert.deepEqual(await names(storeB), Array.from({ length: written }, (_, i) => `s${i}`).sort());
    await uplink.stop();
  } finally {
    clearInterval(writer);
    await a?.close();
    await b.close();
    await storeA.close();
    await storeB.close();
    await local.close();
  }
});
