import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Recorder } from '../../src/defender/recording.ts';
import { RecordingError, Replay } from '../../src/defender/replay.ts';
import type { ModeSetting } from '../../src/model/index.ts';
import { ManualClock, MemoryContainers, type ContainerChange, type ContainerInfo, type Host } from '../../src/runtime/index.ts';
import type { EventSink, EventSource, SensorRecord, SourceStatus } from '../../src/sensor/index.ts';
import { SqliteStore } from '../../src/store/index.ts';

const START = 1_000_000;
const web: ContainerInfo = { id: 'web', name: 'web', image: 'nginx:1', imageId: 'sha256:web', labels: {}, pid: 10, running: true, cgroupId: '70' };
const api: ContainerInfo = { id: 'api', name: 'api', image: 'api:1', imageId: 'sha256:api', labels: { a: 'b' }, pid: 5, running: true, cgroupId: '77' };
const exec = (pid: number): SensorRecord => ({ tag: 'exec', cgroup: '77', pid, ppid: 1, uid: 0, path: '/bin/sh', parentName: 'api', name: 'sh' });
const blocking: ModeSetting = { scope: { kind: 'all' }, mode: 'block', setAt: '2026-01-01T00:00:00Z' };
const process5 = { pid: 5, path: '/bin/api', exe: '/bin/api', name: 'api', argv: ['api'] };
const listening = [{ protocol: 'tcp' as const, address: '0.0.0.0', port: 80 }];
const conf = { servers: ['10.96.0.10'], search: ['shop.svc.cluster.local'] };
const API = 'api.shop.svc.cluster.local';
const fixedHost: Host = {
  exe: (pid) => (pid === 5 ? '/bin/api' : undefined),
  process: (pid) => (pid === 5 ? process5 : { pid }),
  pids: () => [5, 6],
  listening: () => listening,
  cgroupId: () => '77',
  inUpperDir: () => true,
  resolver: () => conf,
};

/** A sensor the test delivers through. */
class FakeSource implements EventSource {
  readonly name = 'fake';
  sink: EventSink | undefined;
  async start(sink: EventSink): Promise<void> {
    this.sink = sink;
  }
  async stop(): Promise<void> {
    this.sink = undefined;
  }
  watching(): boolean {
    return true;
  }
  status(): SourceStatus {
    return {};
  }
}

let dir = '';
let path = '';
const live: { running?: ContainerInfo[]; changes: ContainerChange[]; delivered: Array<[SensorRecord, number | undefined]> } = { changes: [], delivered: [] };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tenet-recording-'));
  path = join(dir, 'run.jsonl');
  const clock = new ManualClock(START);
  const recorder = new Recorder(path, clock, 120);
  const memory = new MemoryContainers([web]);
  const containers = recorder.containers(memory);
  const host = recorder.host(fixedHost);
  const source = new FakeSource();
  const sensor = recorder.sensor(source);
  const sqlite = new SqliteStore(join(dir, 'live'));
  const store = recorder.store(sqlite);

  live.running = await containers.running();
  const follower = await containers.follow((c) => live.changes.push(c), () => {});
  await sensor.start({ record: (r, at) => live.delivered.push([r, at]), event: () => true });
  await clock.advanceTo(START + 100);
  memory.start(api);
  memory.setImage('sha256:api', { executables: ['/bin/api'] });
  assert.deepEqual(await containers.readImage('sha256:api', 'api:1'), { executables: ['/bin/api'] });
  await assert.rejects(containers.readImage('sha256:none', 'none:1'), /no image sha256:none/);
  assert.deepEqual([host.exe(5), host.exe(99), host.process(5), host.pids(5), host.listening(5), host.cgroupId(5), host.inUpperDir('/upper', '/tmp/x'), host.resolver(5)],
    ['/bin/api', undefined, process5, [5, 6], listening, '77', true, conf]);
  const resolver = recorder.resolver({ resolve: async (_servers, name) => (name === API ? { addresses: ['10.96.7.7'], ttlSec: 5 } : { addresses: [], ttlSec: 60 }), close: () => undefined });
  assert.deepEqual(await resolver.resolve(['10.96.0.10'], API), { addresses: ['10.96.7.7'], ttlSec: 5 });
  await clock.advanceTo(START + 200);
  source.sink!.record(exec(1));
  await clock.advanceTo(START + 300);
  source.sink!.record(exec(2), START + 250);
  assert.deepEqual(await store.modes(), []);
  assert.deepEqual(await store.modes(), []);
  await clock.advanceTo(START + 400);
  await sqlite.putMode(blocking);
  assert.deepEqual(await store.modes(), [blocking]);
  memory.die('api');
  follower.close();
  await recorder.close();
  await sqlite.close();
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the wrapped seams answer unchanged, and sensor records are delivered with the time they were written at', () => {
  assert.deepEqual(live.running, [web]);
  assert.deepEqual(live.changes, [{ action: 'start', container: api }, { action: 'die', id: 'api' }]);
  assert.deepEqual(live.delivered, [[exec(1), START + 200], [exec(2), START + 250]]);
});

test('a recording reads back: its header, then each entry in order with its time since the start', async () => {
  const replay = Replay.read(path);
  assert.deepEqual([replay.start, replay.learnForSec, replay.end], [START, 120, START + 400]);
  assert.deepEqual(replay.entries, [
    { t: 0, running: [web] },
    { t: 100, change: { action: 'start', container: api } },
    { t: 100, image: { id: 'sha256:api', contents: { executables: ['/bin/api'] } } },
    { t: 100, image: { id: 'sha256:none', error: 'no image sha256:none' } },
    { t: 100, host: 'exe', args: [5], answer: '/bin/api' },
    { t: 100, host: 'exe', args: [99], answer: null },
    { t: 100, host: 'process', args: [5], answer: process5 },
    { t: 100, host: 'pids', args: [5], answer: [5, 6] },
    { t: 100, host: 'listening', args: [5], answer: listening },
    { t: 100, host: 'cgroupId', args: [5], answer: '77' },
    { t: 100, host: 'inUpperDir', args: ['/upper', '/tmp/x'], answer: true },
    { t: 100, host: 'resolver', args: [5], answer: conf },
    { t: 100, resolved: { servers: ['10.96.0.10'], name: API, answer: { addresses: ['10.96.7.7'], ttlSec: 5 } } },
    { t: 200, record: exec(1) },
    { t: 250, record: exec(2) },
    { t: 300, read: 'modes', answer: [] },
    { t: 400, read: 'modes', answer: [blocking] },
    { t: 400, change: { action: 'die', id: 'api' } },
  ]);
  const gz = `${path}.gz`;
  await writeFile(gz, gzipSync(await readFile(path)));
  assert.deepEqual(Replay.read(gz).entries, replay.entries);
});

test('a replayed host answers what was recorded, and nothing known for a call it was never asked', () => {
  const { host } = Replay.read(path);
  assert.deepEqual([host.exe(5), host.process(5), host.pids(5), host.listening(5), host.cgroupId(5), host.inUpperDir('/upper', '/tmp/x')],
    ['/bin/api', process5, [5, 6], listening, '77', true]);
  assert.equal(host.exe(99), undefined, 'recorded as null');
  assert.deepEqual([host.exe(6), host.process(42), host.pids(6), host.listening(6), host.cgroupId(6), host.inUpperDir('/upper', '/etc/x')],
    [undefined, { pid: 42 }, [], [], undefined, false]);
});

test('a replay answers a name as the recorded defender\'s resolver did, and a name it never resolved as not answered', async () => {
  const { resolver, host } = Replay.read(path);
  assert.deepEqual(host.resolver(5), conf);
  assert.deepEqual(await resolver.resolve(['10.96.0.10'], API), { addresses: ['10.96.7.7'], ttlSec: 5 });
  assert.deepEqual(await resolver.resolve(['10.96.0.10'], 'db.shop.svc.cluster.local'), { addresses: [], ttlSec: 0, failed: true });
  assert.deepEqual(await resolver.resolve(['10.0.0.2'], API), { addresses: [], ttlSec: 0, failed: true }, 'through other servers');
});

test('a replayed host answers a repeated call in the recorded order, the last answer again past them', () => {
  const header = JSON.stringify({ recording: 'tenet', version: 1, start: 0, learnForSec: 1 });
  const lines = ['/a', '/b'].map((answer, t) => JSON.stringify({ t, host: 'exe', args: [1], answer }));
  const { host } = Replay.parse([header, ...lines, ''].join('\n'));
  assert.deepEqual([host.exe(1), host.exe(1), host.exe(1)], ['/a', '/b', '/b']);
});

test('a replayed store answers the policy as recorded at the clock\'s time, and its own before the first read', async () => {
  const replay = Replay.read(path);
  const own = new SqliteStore(join(dir, 'replayed'));
  const mine: ModeSetting = { scope: { kind: 'namespace', value: 'shop' }, mode: 'alert', setAt: '2025-01-01T00:00:00Z' };
  await own.putMode(mine);
  const store = replay.store(own);
  assert.deepEqual(await store.modes(), [mine]);
  await replay.play(START + 300);
  assert.deepEqual(await store.modes(), []);
  await replay.play(START + 399);
  assert.deepEqual(await store.modes(), []);
  await replay.play();
  assert.deepEqual(await store.modes(), [blocking]);
  assert.deepEqual(await store.suppressions(), [], 'never recorded: the store\'s own');
  await own.close();
});

test('play delivers the records at their recorded times, starts and stops containers, and gives each image when it was read', async () => {
  const replay = Replay.read(path);
  assert.deepEqual(await replay.containers.running(), [web]);
  const delivered: Array<[SensorRecord, number | undefined]> = [];
  await replay.sensor.start({ record: (r, at) => delivered.push([r, at]), event: () => true });
  let image: unknown;
  const read = replay.containers.readImage('sha256:api').then((c) => (image = c));
  const failed = replay.containers.readImage('sha256:none').then(() => 'read', (e: Error) => e.message);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(image, undefined, 'waits for its entry');
  await replay.play(START + 150);
  await read;
  assert.deepEqual(image, { executables: ['/bin/api'] });
  assert.equal(await failed, 'no image sha256:none');
  assert.deepEqual(await replay.containers.running(), [web, api]);
  assert.deepEqual(delivered, []);
  assert.equal(replay.clock.now(), START + 150);
  await replay.play();
  assert.deepEqual(delivered, [[exec(1), START + 200], [exec(2), START + 250]]);
  assert.deepEqual(await replay.containers.running(), [web]);
  assert.equal(replay.clock.now(), START + 400);
});

test('a recording that cannot be read says its file and line', () => {
  const header = JSON.stringify({ recording: 'tenet', version: 1, start: 0, learnForSec: 60 });
  const cases: Array<[string, RegExp]> = [
    ['{"t":0,"running":[]}\n', /^x\.rec:1: not a Tenet recording/],
    ['', /^x\.rec:1: not JSON/],
    [`${JSON.stringify({ recording: 'tenet', version: 2, start: 0, learnForSec: 60 })}\n`, /^x\.rec:1: recording version 2, this Tenet reads 1$/],
    [`${header}\n{"t":0,"running":[]}\n\nnot json\n`, /^x\.rec:4: not JSON/],
    [`${header}\n{"running":[]}\n`, /^x\.rec:2: an entry without its time/],
  ];
  for (const [text, message] of cases) assert.throws(() => Replay.parse(text, 'x.rec'), (e: unknown) => e instanceof RecordingError && e.name === 'RecordingError' && message.test(e.message), text);
  assert.deepEqual(Replay.parse(`${header}\n\n`).entries, [], 'blank lines are passed over');
});

test('a missing or broken file is a RecordingError naming it', async () => {
  const missing = join(dir, 'missing.jsonl');
  assert.throws(() => Replay.read(missing), (e: unknown) => e instanceof RecordingError && e.message === `${missing}: ENOENT`);
  const fake = join(dir, 'plain.gz');
  await writeFile(fake, 'not gzip');
  assert.throws(() => Replay.read(fake), (e: unknown) => e instanceof RecordingError && e.message.startsWith(`${fake}: not gzip:`));
});

test('a container stopped, then removed, is replayed as it happened: one die, one destroy', async () => {
  const header = JSON.stringify({ recording: 'tenet', version: 1, start: 0, learnForSec: 1 });
  const lines = [{ t: 1, change: { action: 'start', container: api } }, { t: 2, change: { action: 'die', id: 'api' } }, { t: 3, change: { action: 'destroy', id: 'api' } }];
  const replay = Replay.parse([header, ...lines.map((l) => JSON.stringify(l))].join('\n'));
  const seen: string[] = [];
  const follower = await replay.containers.follow((change) => seen.push(change.action));
  await replay.play();
  follower.close();
  assert.deepEqual(seen, ['start', 'die', 'destroy']);
});
