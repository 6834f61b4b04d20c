// bench/console: what the console sustains. (1) Events ingested from 50
// simulated defenders (a worker thread, so they do not share the console's
// core), each on its own channel with batches and a window as the defender's
// uplink sends them (1,000 events, 4 in flight),
// stored in SQLite and in PostgreSQL; the baseline, in the same run, is the
// store's own insert of the same batches with no network, no validation and
// no acknowledgements. (2) The latency of GET /api/v1/profiles/container (a
// page of 50, and a filtered page) over HTTP on loopback with 10,000 models in
// the store; the baseline is the store's query alone.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { postgresBin, startPostgres } from '../lab/postgres.ts';
import { newSecret, secretHash, TOKEN_PREFIX } from '../src/console/auth.ts';
import { serveConsole } from '../src/console/index.ts';
import { BATCH, WINDOW } from '../src/defender/index.ts';
import { emptyModel, type IntentModel } from '../src/model/index.ts';
import { PostgresStore, SqliteStore, type Store } from '../src/store/index.ts';
import { median, seededRandom } from './measure.ts';

const DEFENDERS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const MODELS = 10_000;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const TARGET_EVENTS = 50_000;
const TARGET_P99_MS = 50;

/** A defender's batch records without their numbers: `{"seq":N` + each is a record. */
function recordTails(defender: number): string[] {
  const tails: string[] = [];
  for (let i = 0; i < BATCH; i++) {
    const event = {
      kind: i % 10 === 0 ? 'exec' : 'syscall', time: TIME, source: 'tenet',
      container: { id: `d${defender}c${i % 20}`, name: `web-${i % 20}`, imageId: `sha256:${(defender * 20 + (i % 20)).toString(16).padStart(64, '0')}` },
      ...(i % 10 === 0
        ? { process: { pid: 2000 + i, path: '/bin/sh', argv: ['sh', '-c', 'true'], parent: { name: 'nginx' } } }
        : { process: { pid: 1000 + (i % 50), path: '/usr/sbin/nginx', name: 'nginx' }, syscall: 'openat' }),
    };
    tails.push(`,"kind":"event","key":null,"body":{"event":${JSON.stringify(event)},"container":"d${defender}c${i % 20}"}}`);
  }
  return tails;
}

/** Where a record's time goes in its tail. */
const TIME = '@time@';

/** One batch frame, its records numbered from `seq`, stamped with the time it is made (events come in time order, as a defender's do). */
function frame(tails: readonly string[], seq: number, at = new Date()): string {
  const time = at.toISOString();
  return `{"type":"batch","records":[${tails.map((t, i) => `{"seq":${seq + i}${t.replace(TIME, time)}`).join(',')}]}`;
}

if (!isMainThread) {
  // the simulated defenders: each sends batches as fast as the console acknowledges them
  const { url, tokens, seconds } = workerData as { url: string; tokens: string[]; seconds: number };
  let acknowledged = 0;
  const sockets: WebSocket[] = [];
  const stopAt = Date.now() + seconds * 1000;
  await Promise.all(tokens.map((token, d) => new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/defenders/channel`, { headers: { authorization: `Bearer ${token}` } });
    sockets.push(ws);
    const tails = recordTails(d);
    let seq = 1;
    let inFlight = 0;
    const send = () => {
      while (inFlight < WINDOW && Date.now() < stopAt) {
        ws.send(frame(tails, seq));
        seq += BATCH;
        inFlight++;
      }
      if (inFlight === 0) resolve();
    };
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'hello', version: 'bench', epoch: 'bench', pending: 0, dropped: 0 }));
      send();
    });
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string };
      if (m.type !== 'ack') return;
      inFlight--;
      acknowledged += BATCH;
      send();
    });
    ws.on('error', reject);
  })));
  for (const ws of sockets) ws.close();
  parentPort!.postMessage({ acknowledged });
} else {
  const quiet = () => {};
  const log = (line: string) => console.log(line);

  /** Events a second acknowledged by a console on `store`, and the store's own insert rate of the same batches. */
  async function ingest(store: Store): Promise<{ rate: number; baseline: number }> {
    const running = await serveConsole({ store, version: 'bench', port: 0, host: '127.0.0.1', tls: undefined, log: quiet });
    const tokens: string[] = [];
    for (let d = 0; d < DEFENDERS; d++) {
      const id = randomUUID();
      const secret = newSecret(TOKEN_PREFIX);
      await store.putDefender({ id, name: `node-${d}`, hostname: `node-${d}`, version: 'bench', enrolledAt: new Date().toISOString(), lastSeen: new Date().toISOString() });
      await store.putToken({ id: randomUUID(), name: `defender ${d}`, user: 'bench', role: 'defender', hash: secretHash(secret), createdAt: new Date().toISOString(), defender: id });
      tokens.push(secret);
    }
    const start = process.hrtime.bigint();
    const { acknowledged } = await new Promise<{ acknowledged: number }>((resolve, reject) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: { url: running.url, tokens, seconds: SECONDS } });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    await running.close();
    // the baseline: the same number of batches straight into the store
    const batches = Math.min(200, Math.ceil(acknowledged / BATCH));
    const tails = Array.from({ length: DEFENDERS }, (_, d) => recordTails(d));
    const parsed = Array.from({ length: batches }, (_, b) => (JSON.parse(frame(tails[b % DEFENDERS]!, 1_000_000_000 + b * BATCH, new Date(Date.now() + b))) as { records: Array<{ seq: number; body: { event: never; container: string } }> }).records
      .map((r) => ({ seq: r.seq, event: r.body.event, container: r.body.container })));
    const t0 = process.hrtime.bigint();
    for (const [b, batch] of parsed.entries()) await store.addEventsFrom(`baseline/${b % DEFENDERS}`, batch);
    const baseline = (batches * BATCH) / (Number(process.hrtime.bigint() - t0) / 1e9);
    return { rate: acknowledged / seconds, baseline };
  }

  const random = seededRandom(5);
  /** A model of realistic size: its programs, ports, peers, writable paths and syscalls, each with a source. */
  function model(i: number): IntentModel {
    const m = emptyModel(`sha256:${i.toString(16).padStart(64, '0')}`, { image: `registry.example/team-${i % 50}/svc-${i}:1.${i % 7}`, workload: { kind: 'Deployment', namespace: `ns-${i % 20}`, name: `svc-${i}`, container: 'app', sources: [] } });
    const src = [{ kind: 'image' as const, layer: `sha256:${i}` }];
    m.state = random() < 0.2 ? 'learning' : 'active';
    for (let p = 0; p < 8; p++) m.processes.push({ path: `/usr/bin/tool-${p}`, sources: src });
    m.network.listen.push({ port: 8080, protocol: 'tcp', sources: src });
    for (let e = 0; e < 5; e++) m.network.egress.push({ host: `svc-${(i + e) % MODELS}.ns-${e}`, port: 8080, protocol: 'tcp', sources: src });
    m.filesystem.writable.push({ path: '/tmp', sources: src });
    m.syscalls.allow.push(...Array.from({ length: 80 }, (_, s) => `sys${s}`));
    return m;
  }

  /** Milliseconds of each GET, over one keep-alive connection. */
  async function latencies(url: string, path: string, auth: string, n: number): Promise<number[]> {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const start = process.hrtime.bigint();
      await new Promise<void>((resolve, reject) => {
        request(`${url}${path}`, { agent, headers: { authorization: auth } }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`${path}: HTTP ${res.statusCode}`));
          res.resume();
          res.on('end', resolve);
        }).on('error', reject).end();
      });
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    agent.destroy();
    return times;
  }

  const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

  log(`bench/console: ${DEFENDERS} defenders × batches of ${BATCH} events, ${WINDOW} in flight, ${SECONDS} s a store; ${MODELS.toLocaleString('en')} models, ${REQUESTS} GETs a query`);
  const sqlite = new SqliteStore(mkdtempSync(join(tmpdir(), 'tenet-bench-console-')), { maxEvents: 2_000_000 });
  const fromSqlite = await ingest(sqlite);
  log(`  ingest, SQLite       ${Math.round(fromSqlite.rate).toLocaleString('en')} events/s  (store alone ${Math.round(fromSqlite.baseline).toLocaleString('en')} events/s, ratio ${(fromSqlite.rate / fromSqlite.baseline).toFixed(2)}); target ≥ ${TARGET_EVENTS.toLocaleString('en')}: ${fromSqlite.rate >= TARGET_EVENTS ? 'met' : 'NOT met'}`);
  let met = fromSqlite.rate >= TARGET_EVENTS;

  if (postgresBin() !== undefined) {
    const server = startPostgres();
    try {
      const pg = await PostgresStore.open(await server.database('bench'), { maxEvents: 2_000_000, poolSize: 20 });
      const fromPg = await ingest(pg);
      log(`  ingest, PostgreSQL   ${Math.round(fromPg.rate).toLocaleString('en')} events/s  (store alone ${Math.round(fromPg.baseline).toLocaleString('en')} events/s, ratio ${(fromPg.rate / fromPg.baseline).toFixed(2)})`);
      await pg.close();
    } finally {
      server.stop();
    }
  } else log('  ingest, PostgreSQL   not measured: PostgreSQL is not installed (npm run lab:up installs it)');

  const store = new SqliteStore(mkdtempSync(join(tmpdir(), 'tenet-bench-console-')));
  for (let i = 0; i < MODELS; i += 500) await store.putModels(Array.from({ length: Math.min(500, MODELS - i) }, (_, k) => model(i + k)));
  const secret = newSecret(TOKEN_PREFIX);
  await store.putUser({ name: 'bench', role: 'auditor', passwordHash: 'x', createdAt: new Date().toISOString() });
  await store.putToken({ id: randomUUID(), name: 'bench', user: 'bench', role: 'auditor', hash: secretHash(secret), createdAt: new Date().toISOString() });
  const running = await serveConsole({ store, version: 'bench', port: 0, host: '127.0.0.1', tls: undefined, log: quiet });
  try {
    for (const [name, path, query] of [
      ['first page', '/api/v1/profiles/container', {}],
      ['by namespace and state', '/api/v1/profiles/container?namespace=ns-7&state=active', { namespace: 'ns-7', state: 'active' }],
      ['a page deep in', `/api/v1/profiles/container?cursor=${Buffer.from(JSON.stringify(`sha256:${(7000).toString(16).padStart(64, '0')}`)).toString('base64url')}`, { after: `sha256:${(7000).toString(16).padStart(64, '0')}` }],
    ] as const) {
      await latencies(running.url, path, `Bearer ${secret}`, 50);
      const times = await latencies(running.url, path, `Bearer ${secret}`, REQUESTS);
      const direct: number[] = [];
      for (let i = 0; i < 200; i++) {
        const t = process.hrtime.bigint();
        await store.queryModels(query);
        direct.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      const p99 = percentile(times, 99);
      met &&= p99 < TARGET_P99_MS;
      log(`  GET ${name.padEnd(24)} p50 ${median(times).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms  (store query alone p50 ${median(direct).toFixed(1)} ms); target p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'met' : 'NOT met'}`);
    }
  } finally {
    await running.close();
  }
  if (!met) process.exitCode = 1;
}
