import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { dryRun } from '../../src/enforce/index.ts';
import { emptyModel, type IntentModel, type RuntimeEvent } from '../../src/model/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { tenet } from '../run-cli.ts';

const learned = [{ kind: 'learned' as const }];
const dir = mkdtempSync(join(tmpdir(), 'tenet-dryrun-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function model(state: IntentModel['state'] = 'active'): IntentModel {
  const m = emptyModel('sha256:nginx', { image: 'tenet-lab/nginx:bookworm' });
  m.state = state;
  m.processes.push({ path: '/usr/sbin/nginx', sources: learned });
  m.network.listen.push({ port: 80, protocol: 'tcp', sources: learned });
  m.network.egress.push({ host: '10.0.0.7', port: 6379, protocol: 'tcp', sources: learned });
  m.filesystem.writable.push({ path: '/var/log/nginx/*', sources: learned });
  m.syscalls.allow.push('read', 'write', 'epoll_wait');
  return m;
}

let clock = 0;
function ev(kind: RuntimeEvent['kind'], fields: Partial<RuntimeEvent>, container = 'web-1', imageId = 'sha256:nginx'): RuntimeEvent {
  return { kind, time: new Date(Date.UTC(2026, 10, 30, 10, 0, clock++)).toISOString(), source: 'tenet', container: { id: `id-${container}`, name: container, imageId }, ...fields };
}

const EVENTS = [
  ev('exec', { process: { pid: 1, path: '/usr/sbin/nginx' } }),
  ev('syscall', { syscall: 'read' }),
  ev('exec', { process: { pid: 7, path: '/usr/bin/sh', parent: { path: '/usr/sbin/nginx' } } }),
  ev('connect', { network: { protocol: 'tcp', remoteAddress: '10.0.0.7', remotePort: 6379 } }),
  ev('connect', { network: { protocol: 'tcp', remoteAddress: '203.0.113.9', remotePort: 4444 } }),
  ev('write', { file: { path: '/var/log/nginx/access.log' } }),
  ev('write', { file: { path: '/etc/cron.d/x' } }),
  ev('syscall', { syscall: 'ptrace' }),
  ev('dns', { dns: { names: ['pool.minexmr.com'] } }),
  ev('exec', { process: { pid: 8, path: '/usr/bin/sh', parent: { path: '/usr/sbin/nginx' } } }, 'web-2'),
  ev('exec', { process: { pid: 9, path: '/usr/bin/sh' } }, 'other', 'sha256:other'),
];

test('a dry run lists what prevent would have stopped and what it would only have reported, once per activity', () => {
  const run = dryRun(model(), EVENTS);
  assert.equal(run.events, 10, 'the other image\'s event is not judged');
  assert.equal(run.from, EVENTS[0]!.time);
  assert.equal(run.to, EVENTS[9]!.time);
  assert.deepEqual(run.prevented.map((e) => [e.dimension, e.entry, e.action, e.count, e.containers.join()]), [
    ['processes', '/usr/bin/sh', 'process-killed', 2, 'web-1,web-2'],
    ['egress', 'tcp/203.0.113.9:4444', 'connection-dropped', 1, 'web-1'],
    ['syscalls', 'ptrace', 'syscall-refused', 1, 'web-1'],
    ['writable', '/etc/cron.d/x', 'write-refused', 1, 'web-1'],
  ]);
  assert.deepEqual(run.reported.map((e) => [e.dimension, e.entry, e.action]), [['dns', 'pool.minexmr.com', undefined]]);
  assert.match(run.prevented[2]!.detail, /next start/);
});

test('a learning model is judged as if it were active, and the dry run learns nothing', () => {
  const learning = model('learning');
  const before = JSON.stringify(learning);
  assert.equal(dryRun(learning, EVENTS).prevented.length, 4);
  assert.equal(JSON.stringify(learning), before);
  assert.equal(dryRun(model(), []).events, 0);
});

test('tenet dryrun reads the models and events a defender stored', async () => {
  const store = new SqliteStore(dir);
  await store.putModels([model(), { ...emptyModel('sha256:other', { image: 'redis:7' }), state: 'active' }]);
  await store.addEvents(EVENTS.map((event) => ({ event, container: event.container!.id })));
  await store.close();
  const table = tenet(['dryrun', '--data', dir, '--image', 'tenet-lab/nginx']);
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /^Model sha256:nginx \(tenet-lab\/nginx:bookworm\), active: 10 events from /);
  assert.match(table.stdout, /prevent would have stopped 4 activities:\n +2× processes +\/usr\/bin\/sh {2}process-killed; web-1, web-2;/);
  assert.match(table.stdout, /and reported 1 more:\n +1× dns +pool\.minexmr\.com {2}reported;/);
  const json = JSON.parse(tenet(['dryrun', '--data', dir, '--format', 'json']).stdout) as Array<{ model: string; events: number }>;
  assert.deepEqual(json.map((r) => [r.model, r.events]), [['sha256:nginx', 10], ['sha256:other', 1]]);
  assert.match(tenet(['dryrun', '--data', dir, '--model', 'sha256:other']).stdout, /prevent would have stopped 1 activities/);
  const none = tenet(['dryrun', '--data', dir, '--image', 'postgres']);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no model of postgres/);
});
