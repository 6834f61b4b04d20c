import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Learner, normalisePath, type LearnedContainer } from '../../src/learn/index.ts';
import { emptyModel, IntentModel, type RuntimeEvent } from '../../src/model/index.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const web = (id: string, imageId = 'sha256:aaa'): LearnedContainer => ({ id, imageId, repository: 'shop/web' });
const ev = (kind: RuntimeEvent['kind'], fields: Partial<RuntimeEvent> = {}): RuntimeEvent => ({ kind, time: '2026-01-01T00:00:00Z', source: 'tenet', ...fields });
const write = (path: string) => ev('write', { file: { path } });
const exec = (path: string, argv?: string[]) => ev('exec', { process: { path, ...(argv && { argv }) } });
const connect = (host: string, port: number) => ev('connect', { network: { protocol: 'tcp', remoteAddress: host, remotePort: port } });

test('the window counts only time with a container running, then the model becomes active', () => {
  const learner = new Learner({ windowSec: 10 });
  const model = learner.attach(web('c1'), T0);
  learner.advance(T0);
  assert.deepEqual(learner.advance(T0 + 6_000), []);
  assert.equal(model.remainingSec, 4);
  learner.detach('c1');
  learner.advance(T0 + 60_000);
  assert.equal(model.remainingSec, 4, 'no container ran: the clock stood still');
  learner.attach(web('c2'), T0 + 60_000);
  assert.deepEqual(learner.advance(T0 + 64_000).map((m) => m.id), ['sha256:aaa']);
  const snapshot = IntentModel.parse(model.snapshot((ms) => new Date(ms).toISOString()));
  assert.equal(snapshot.state, 'active');
  assert.equal(snapshot.remainingLearningDurationSec, 0);
});

test('learned while learning, deviations once active, the static model allowed from the first second', () => {
  const seed = emptyModel('sha256:aaa');
  seed.network.listen.push({ port: 80, protocol: 'tcp', sources: [{ kind: 'declared', file: 'Dockerfile', line: 3 }] });
  seed.processes.push({ path: 'nginx', sources: [{ kind: 'declared', file: 'Dockerfile', line: 5 }] });
  const learner = new Learner({ windowSec: 5 });
  learner.attach(web('c1'), T0, seed);
  assert.equal(learner.observe(ev('listen', { network: { protocol: 'tcp', localPort: 80 } }), 'c1', T0)?.outcome, 'known');
  assert.equal(learner.observe(exec('/usr/sbin/nginx'), 'c1', T0)?.outcome, 'known', 'a program declared by name covers its path');
  assert.deepEqual(learner.observe(connect('10.0.0.7', 6379), 'c1', T0 + 1), { outcome: 'learned', dimension: 'egress', entry: 'tcp/10.0.0.7:6379' });
  learner.advance(T0);
  learner.advance(T0 + 5_000);
  assert.equal(learner.observe(connect('10.0.0.7', 6379), 'c1', T0 + 6_000)?.outcome, 'known');
  assert.deepEqual(learner.observe(exec('/bin/sh', ['sh']), 'c1', T0 + 6_000), { outcome: 'deviation', dimension: 'processes', entry: '/bin/sh' });
  assert.deepEqual(learner.observe(connect('10.0.0.9', 4444), 'c1', T0 + 6_000), { outcome: 'deviation', dimension: 'egress', entry: 'tcp/10.0.0.9:4444' });
  const model = learner.models.get('sha256:aaa')!.snapshot((ms) => new Date(ms).toISOString());
  const egress = model.network.egress[0]!;
  assert.deepEqual([egress.host, egress.port, egress.sources[0]!.kind, egress.sources[0]!.count, egress.sources[0]!.containers], ['10.0.0.7', 6379, 'learned', 1, ['c1']]);
  assert.deepEqual(model.network.listen[0]!.sources.map((s) => s.kind), ['declared', 'learned'], 'a declared entry that was seen says both');
});

test('10,000 distinct temp file names make a handful of entries, and the pattern covers new names', () => {
  const learner = new Learner({ windowSec: 60 });
  learner.attach(web('c1'), T0);
  const names = ['upload', 'session', 'cache'];
  for (let i = 0; i < 10_000; i++) {
    learner.observe(write(`/tmp/${names[i % 3]}-${(i * 7919).toString(36)}.tmp`), 'c1', T0 + i);
    learner.observe(write(`/var/lib/nginx/body/${String(i).padStart(10, '0')}`), 'c1', T0 + i);
  }
  learner.observe(write('/var/log/nginx/access.log'), 'c1', T0);
  const model = learner.models.get('sha256:aaa')!;
  const writable = model.snapshot((ms) => new Date(ms).toISOString()).filesystem.writable;
  assert.ok(writable.length <= 5, writable.map((w) => w.path).join(', '));
  assert.deepEqual(writable.map((w) => w.path).sort(), ['/tmp/*', '/var/lib/nginx/body/*', '/var/log/nginx/access.log']);
  assert.equal(writable.find((w) => w.path === '/tmp/*')!.sources[0]!.count, 10_000);
  model.activate(T0);
  assert.equal(learner.observe(write('/tmp/upload-zzz999.tmp'), 'c1', T0)?.outcome, 'known');
  assert.equal(learner.observe(write('/etc/passwd'), 'c1', T0)?.outcome, 'deviation');
});

test('paths, peers and names generalise; each dimension is bounded and says when it stopped growing', () => {
  assert.equal(normalisePath('/proc/4242/status'), '/proc/*/status');
  assert.equal(normalisePath('/tmp/abc123'), '/tmp/*');
  assert.equal(normalisePath('/etc/nginx/nginx.conf'), '/etc/nginx/nginx.conf');
  const learner = new Learner({ windowSec: 60, maxEntries: 20 });
  learner.attach(web('c1'), T0);
  for (let i = 0; i < 40; i++) learner.observe(connect(`10.1.0.${i}`, 5432), 'c1', T0);
  for (let i = 0; i < 40; i++) learner.observe(ev('dns', { dns: { names: [`shard${String.fromCharCode(97 + (i % 26))}${i}.db.internal`] } }), 'c1', T0);
  for (let i = 0; i < 40; i++) learner.observe(exec(`/opt/tool-${String.fromCharCode(97 + i % 26)}${String.fromCharCode(97 + (i >> 1) % 26)}`), 'c1', T0);
  const model = learner.models.get('sha256:aaa')!.snapshot((ms) => new Date(ms).toISOString());
  assert.deepEqual(model.network.egress.map((e) => `${e.host}:${e.port}`), ['*:5432']);
  assert.deepEqual(model.network.dns.map((d) => d.name), ['*.db.internal']);
  assert.ok(model.processes.length <= 21);
  assert.deepEqual(model.learning?.overflow, ['processes']);
});

test('behaviour of one replica out of three is kept apart and reported, not allowed', () => {
  const learner = new Learner({ windowSec: 1 });
  for (const id of ['r1', 'r2', 'r3']) learner.attach(web(id), T0);
  for (const id of ['r1', 'r2', 'r3']) learner.observe(connect('10.0.0.7', 6379), id, T0);
  learner.observe(connect('203.0.113.7', 4444), 'r2', T0);
  learner.advance(T0);
  learner.advance(T0 + 1_000);
  const model = learner.models.get('sha256:aaa')!.snapshot((ms) => new Date(ms).toISOString());
  assert.deepEqual(model.network.egress.map((e) => e.host), ['10.0.0.7']);
  assert.deepEqual(model.learning?.outliers, [{ dimension: 'egress', entry: 'tcp/203.0.113.7:4444', container: 'r2', count: 1 }]);
  assert.equal(learner.observe(connect('203.0.113.7', 4444), 'r1', T0 + 2_000)?.outcome, 'deviation');
});

test('containers of one image that are other workloads are not replicas: what only one of them did is its own, and stays allowed', () => {
  const learner = new Learner({ windowSec: 1 });
  // the image's three replicas of one service, and one container of another service (a helper with its own command)
  for (const id of ['r1', 'r2', 'r3']) learner.attach({ ...web(id), workload: 'depot/web' }, T0);
  learner.attach({ ...web('h1'), workload: 'depot/helper' }, T0);
  for (const id of ['r1', 'r2', 'r3']) learner.observe(connect('10.0.0.7', 6379), id, T0);
  learner.observe(connect('203.0.113.7', 4444), 'r2', T0);
  learner.observe(write('/var/log/helper.log'), 'h1', T0);
  learner.advance(T0);
  learner.advance(T0 + 1_000);
  const model = learner.models.get('sha256:aaa')!.snapshot((ms) => new Date(ms).toISOString());
  assert.deepEqual(model.learning?.outliers.map((o) => o.container), ['r2'], 'one replica of three apart');
  assert.ok(model.filesystem.writable.some((w) => w.path === '/var/log/helper.log'), 'the helper\'s own behaviour kept');

  const different = new Learner({ windowSec: 1 });
  for (const [id, workload] of [['c2', 'depot/c2'], ['pool', 'depot/pool'], ['h1', 'depot/helper']]) different.attach({ ...web(id!), workload: workload! }, T0);
  different.observe(write('/var/log/helper.log'), 'h1', T0);
  different.advance(T0);
  different.advance(T0 + 1_000);
  assert.deepEqual(different.models.get('sha256:aaa')!.snapshot((ms) => new Date(ms).toISOString()).learning?.outliers, [], 'three workloads of one image: no replicas');
});

test('relearn starts again from the static model; extend learns for longer', () => {
  const learner = new Learner({ windowSec: 2 });
  const model = learner.attach(web('c1'), T0);
  learner.observe(exec('/usr/bin/curl'), 'c1', T0);
  learner.advance(T0);
  learner.advance(T0 + 2_000);
  assert.equal(model.state, 'active');
  model.extend(30);
  assert.equal(model.state, 'learning');
  assert.equal(model.remainingSec, 30);
  assert.equal(learner.observe(exec('/usr/bin/wget'), 'c1', T0 + 3_000)?.outcome, 'learned');
  model.relearn(T0 + 4_000);
  const snapshot = model.snapshot((ms) => new Date(ms).toISOString());
  assert.deepEqual([snapshot.state, snapshot.processes.length, snapshot.learning?.observedSec], ['learning', 0, 0]);
});

test('a new image of the same repository starts from the previous model, keeps its own static entries', () => {
  const learner = new Learner({ windowSec: 60 });
  learner.attach(web('old'), T0);
  learner.observe(connect('10.0.0.7', 6379), 'old', T0);
  const seed = emptyModel('sha256:bbb');
  seed.network.listen.push({ port: 8080, protocol: 'tcp', sources: [{ kind: 'image', detail: 'EXPOSE 8080' }] });
  const next = learner.attach(web('new', 'sha256:bbb'), T0 + 1, seed);
  const model = next.snapshot((ms) => new Date(ms).toISOString());
  assert.equal(model.learning?.previous, 'sha256:aaa');
  assert.deepEqual(model.network.egress.map((e) => [e.host, e.sources[0]!.kind]), [['10.0.0.7', 'learned']]);
  assert.deepEqual(model.network.listen.map((l) => l.port), [8080]);
});

test('a model restored from the store goes on where it stopped: clock, state and learned entries with their counts', () => {
  const first = new Learner({ windowSec: 10 });
  const seed = emptyModel('sha256:aaa');
  seed.network.listen.push({ port: 80, protocol: 'tcp', sources: [{ kind: 'image', detail: 'EXPOSE 80' }] });
  first.attach(web('c1'), T0, seed);
  first.observe(connect('10.0.0.7', 6379), 'c1', T0 + 1000);
  first.observe(connect('10.0.0.7', 6379), 'c1', T0 + 2000);
  first.advance(T0);
  first.advance(T0 + 4000);
  const stored = IntentModel.parse(JSON.parse(JSON.stringify(first.models.get('sha256:aaa')!.snapshot((ms) => new Date(ms).toISOString()))));

  const second = new Learner({ windowSec: 999 });
  second.restore([stored], T0 + 60_000);
  const model = second.attach(web('c2'), T0 + 60_000);
  assert.deepEqual([model.state, model.remainingSec], ['learning', 6], 'the window and clock of the stored model');
  const again = model.snapshot((ms) => new Date(ms).toISOString());
  assert.deepEqual(again.network.egress.map((e) => [e.host, e.sources[0]!.count, e.sources[0]!.firstSeen]), [['10.0.0.7', 2, '2026-01-01T00:00:01.000Z']]);
  assert.deepEqual(again.network.listen.map((l) => l.sources.map((s) => s.kind)), [['image']]);
  model.relearn(T0 + 61_000);
  assert.deepEqual(model.snapshot((ms) => new Date(ms).toISOString()).network.egress, [], 'relearning forgets what was learned, not what was declared');
  assert.equal(model.snapshot((ms) => new Date(ms).toISOString()).network.listen.length, 1);
});

test('each dimension says how safe it is to enforce: stable for the last half of the window, or still learning', () => {
  const learner = new Learner({ windowSec: 100 });
  const model = learner.attach(web('c1'), T0);
  learner.advance(T0);
  learner.observe(connect('10.0.0.7', 6379), 'c1', T0);
  learner.advance(T0 + 80_000);
  learner.observe(exec('/usr/bin/curl'), 'c1', T0 + 80_000);
  learner.advance(T0 + 100_000);
  const completeness = model.snapshot((ms) => new Date(ms).toISOString()).learning!.completeness!;
  assert.equal(completeness.egress, 1, 'nothing new for 100 s');
  assert.equal(completeness.processes, 0.4, 'something new 20 s before the end of a 100 s window: 20 of 50 s');
  assert.equal(completeness.dns, 1);
});

test('the parents that start each program are learned: once active, an allowed program from another parent is a deviation, and parents survive a restart', () => {
  const started = (path: string, parent: string) => ev('exec', { process: { path, parent: { name: parent } } });
  const learner = new Learner({ windowSec: 5 });
  learner.attach(web('c1'), T0);
  learner.observe(started('/usr/sbin/nginx', 'containerd-shim'), 'c1', T0);
  learner.observe(started('/usr/bin/logrotate', 'cron'), 'c1', T0);
  learner.observe(ev('exec', { process: { path: '/usr/bin/env' } }), 'c1', T0);
  learner.advance(T0);
  learner.advance(T0 + 5_000);
  assert.equal(learner.observe(started('/usr/sbin/nginx', 'containerd-shim'), 'c1', T0 + 6_000)?.outcome, 'known');
  assert.deepEqual(learner.observe(started('/usr/sbin/nginx', 'bash'), 'c1', T0 + 6_000),
    { outcome: 'deviation', dimension: 'processes', entry: '/usr/sbin/nginx', parent: 'bash' });
  assert.equal(learner.observe(started('/usr/bin/env', 'bash'), 'c1', T0 + 6_000)?.outcome, 'known', 'no parent was ever seen: nothing to judge by');
  assert.equal(learner.observe(exec('/usr/sbin/nginx'), 'c1', T0 + 6_000)?.outcome, 'known', 'a parent the sensor did not know is no deviation');

  const snapshot = learner.models.get('sha256:aaa')!.snapshot((ms) => new Date(ms).toISOString());
  assert.deepEqual(snapshot.processes.find((p) => p.path === '/usr/sbin/nginx')?.parents, ['(container runtime)'], 'the shim is kept as the container runtime');
  const restarted = new Learner({ windowSec: 5 });
  restarted.restore([IntentModel.parse(snapshot)], T0 + 10_000);
  restarted.attach(web('c2'), T0 + 10_000);
  assert.equal(restarted.observe(started('/usr/bin/logrotate', 'sh'), 'c2', T0 + 10_000)?.outcome, 'deviation');
  assert.equal(restarted.observe(started('/usr/bin/logrotate', 'cron'), 'c2', T0 + 10_000)?.outcome, 'known');
  // the runtime's programs are one parent: a healthcheck started by runc in one run and by the shim in another
  for (const runtime of ['runc', 'crun', 'conmon', 'docker-init', 'containerd-shim-runc-v2', '/usr/bin/containerd-shim']) {
    assert.equal(restarted.observe(started('/usr/sbin/nginx', runtime), 'c2', T0 + 10_000)?.outcome, 'known', runtime);
  }
  assert.equal(restarted.observe(started('/usr/sbin/nginx', 'runcx'), 'c2', T0 + 10_000)?.outcome, 'deviation', 'a name that only looks like one');
  // a model stored with the runtime's programs by name
  const old = IntentModel.parse({ ...snapshot, processes: snapshot.processes.map((p) => (p.path === '/usr/sbin/nginx' ? { ...p, parents: ['runc'] } : p)) });
  const older = new Learner({ windowSec: 5 });
  older.restore([old], T0 + 10_000);
  older.attach(web('c3'), T0 + 10_000);
  assert.equal(older.observe(started('/usr/sbin/nginx', 'containerd-shim'), 'c3', T0 + 10_000)?.outcome, 'known');
});

test('a program started by many parents is started by anything', () => {
  const learner = new Learner({ windowSec: 5 });
  learner.attach(web('c1'), T0);
  for (let i = 0; i < 20; i++) learner.observe(ev('exec', { process: { path: '/usr/bin/sh', parent: { path: `/usr/bin/tool${i}` } } }), 'c1', T0);
  learner.advance(T0);
  learner.advance(T0 + 5_000);
  assert.equal(learner.observe(ev('exec', { process: { path: '/usr/bin/sh', parent: { name: 'other' } } }), 'c1', T0 + 6_000)?.outcome, 'known');
});

test('the learn mode takes an event outside an active model into it: a new entry, or a new parent of an allowed program', () => {
  const learner = new Learner({ windowSec: 0 });
  const model = learner.attach(web('c1'), T0);
  const started = (path: string, parent: string) => ev('exec', { process: { path, parent: { name: parent } } });
  assert.equal(learner.observe(connect('10.0.0.7', 6379), 'c1', T0)?.outcome, 'deviation');
  assert.equal(model.accept(connect('10.0.0.7', 6379), 'c1', T0), 'tcp/10.0.0.7:6379');
  assert.equal(learner.observe(connect('10.0.0.7', 6379), 'c1', T0)?.outcome, 'known');
  assert.equal(model.accept(connect('10.0.0.7', 6379), 'c1', T0), undefined, 'already allowed');
  assert.deepEqual(model.entries('egress'), ['tcp/10.0.0.7:6379']);
  model.accept(started('/usr/sbin/nginx', 'containerd-shim'), 'c1', T0);
  assert.equal(learner.observe(started('/usr/sbin/nginx', 'bash'), 'c1', T0)?.outcome, 'deviation');
  model.accept(started('/usr/sbin/nginx', 'bash'), 'c1', T0);
  assert.equal(learner.observe(started('/usr/sbin/nginx', 'bash'), 'c1', T0)?.outcome, 'known');
});

test('container starts watched from their first call are counted while learning, kept across a restart, and reset by relearn', () => {
  const learner = new Learner({ windowSec: 10 });
  const model = learner.attach(web('c1'), T0);
  const iso = (ms: number) => new Date(ms).toISOString();
  assert.equal(model.snapshot(iso).learning?.starts, undefined, 'none yet');
  model.sawStart();
  model.sawStart();
  assert.equal(model.snapshot(iso).learning?.starts, 2);
  const again = new Learner({ windowSec: 10 });
  again.restore([model.snapshot(iso)], T0);
  assert.equal(again.models.get(model.id)!.snapshot(iso).learning?.starts, 2);
  learner.advance(T0);
  learner.advance(T0 + 11_000);
  assert.equal(model.state, 'active');
  model.sawStart();
  assert.equal(model.snapshot(iso).learning?.starts, 2, 'an active model learns nothing from a start');
  model.relearn(T0 + 12_000);
  assert.equal(model.snapshot(iso).learning?.starts, undefined);
});

test('a model that finished learning on another node is taken for an image still learning here, and enforced at once', () => {
  // learned elsewhere: nginx, its peer, active
  const elsewhere = new Learner({ windowSec: 5 });
  elsewhere.attach(web('x1'), T0);
  elsewhere.observe(exec('/usr/sbin/nginx'), 'x1', T0);
  elsewhere.observe(connect('10.0.0.7', 6379), 'x1', T0);
  elsewhere.advance(T0);
  elsewhere.advance(T0 + 5_000);
  const learned = IntentModel.parse(elsewhere.models.get('sha256:aaa')!.snapshot((ms) => new Date(ms).toISOString()));
  assert.equal(learned.state, 'active');

  const here = new Learner({ windowSec: 3600 });
  here.attach(web('c1'), T0);
  here.attach(web('c2'), T0);
  const adopted = here.adopt(learned, T0 + 1000);
  assert.equal(adopted?.state, 'active');
  assert.equal(here.modelOf('c1'), adopted, 'the running containers move to it');
  assert.deepEqual([...adopted!.running].sort(), ['c1', 'c2']);
  assert.equal(here.observe(connect('10.0.0.7', 6379), 'c2', T0 + 2000)?.outcome, 'known');
  assert.deepEqual(here.observe(exec('/bin/sh', ['sh']), 'c1', T0 + 2000), { outcome: 'deviation', dimension: 'processes', entry: '/bin/sh' });

  assert.equal(here.adopt(learned, T0 + 3000), undefined, 'an active model here stays');
  assert.equal(new Learner({ windowSec: 60 }).adopt({ ...learned, state: 'learning' }, T0), undefined, 'only a model that finished learning is taken');
  const fresh = new Learner({ windowSec: 60 });
  assert.equal(fresh.adopt(learned, T0)?.id, 'sha256:aaa', 'an image not seen here yet starts from it when it runs');
  assert.equal(fresh.attach(web('c9'), T0).state, 'active');
});

test('an active model judges names, peers and writes the same on its quick paths as on its general one', () => {
  const seed = emptyModel('sha256:aaa');
  const src = [{ kind: 'image' as const }];
  seed.network.dns.push({ name: 'db.internal', sources: src }, { name: '*.cache.internal', sources: src });
  seed.network.egress.push({ host: '10.0.0.7', port: 6379, protocol: 'tcp', sources: src }, { host: '10.0.0.8', port: 80, protocol: 'tcp', sources: src }, { host: '10.0.0.8', port: 443, protocol: 'tcp', sources: src });
  seed.filesystem.writable.push({ path: '/tmp', sources: src });
  const learner = new Learner({ windowSec: 0 });
  learner.attach(web('c1'), T0, seed);
  const outcome = (event: RuntimeEvent) => learner.observe(event, 'c1', T0)?.outcome;
  const dns = (name: string) => ev('dns', { dns: { names: [name] } });
  assert.equal(outcome(dns('db.internal')), 'known');
  assert.equal(outcome(dns('DB.Internal.')), 'known', 'a name in capitals with the root dot is the same name');
  assert.equal(outcome(dns('a.cache.internal')), 'known', 'under an allowed domain');
  assert.equal(outcome(dns('evil.example')), 'deviation');
  assert.equal(outcome(connect('10.0.0.7', 6379)), 'known', 'a peer with one port');
  assert.equal(outcome(connect('10.0.0.8', 443)), 'known', 'a peer with two');
  assert.equal(outcome(connect('10.0.0.7', 6380)), 'deviation');
  assert.equal(outcome(connect('10.0.0.8', 8080)), 'deviation');
  assert.equal(outcome(write('/tmp/upload-1.tmp')), 'known');
  assert.equal(outcome(write('/tmpfile')), 'deviation', 'beside the folder is not in it');

  // a model with more folders than the shared index holds for it judges its writes itself
  const many = emptyModel('sha256:bbb');
  for (const path of ['/a', '/b', '/c', '/d']) many.filesystem.writable.push({ path, sources: src });
  learner.attach(web('c2', 'sha256:bbb'), T0, many);
  assert.equal(learner.observe(write('/d/x'), 'c2', T0)?.outcome, 'known');
  assert.equal(learner.observe(write('/a/b/c'), 'c2', T0)?.outcome, 'known');
  assert.equal(learner.observe(write('/e/x'), 'c2', T0)?.outcome, 'deviation');
  assert.equal(learner.observe(write('/tmp/x'), 'c2', T0)?.outcome, 'deviation', 'another model\'s folder is not its own');
});

test('a write under a folder pattern is answered from the shared index only while its model is active: learning counts it', () => {
  const seed = emptyModel('sha256:aaa');
  seed.filesystem.writable.push({ path: '/tmp', sources: [{ kind: 'image' }] });
  const learner = new Learner({ windowSec: 5 });
  const model = learner.attach(web('c1'), T0, seed);
  const count = () => model.snapshot((ms) => new Date(ms).toISOString()).filesystem.writable.find((w) => w.path === '/tmp/*')?.sources.find((s) => s.kind === 'learned')?.count;
  for (let i = 0; i < 3; i++) assert.equal(learner.observe(write(`/tmp/${i}`), 'c1', T0)?.outcome, 'known');
  assert.equal(count(), 3, 'learning: an allowed write is counted by the model');
  learner.advance(T0);
  learner.advance(T0 + 5_000);
  assert.equal(model.state, 'active');
  assert.equal(learner.observe(write('/tmp/3'), 'c1', T0 + 6_000)?.outcome, 'known');
  assert.equal(count(), 3, 'active: answered by the index, nothing counted');
  assert.equal(learner.observe(write('/etc/passwd'), 'c1', T0 + 6_000)?.outcome, 'deviation');
  model.relearn(T0 + 7_000);
  assert.equal(learner.observe(write('/tmp/4'), 'c1', T0 + 7_000)?.outcome, 'known');
  assert.equal(count(), 1, 'learning again: counted from the start');
});

test('a syscall is answered from the index only while its model is active: learning counts it, relearn and extend stop the quick answer', () => {
  const seed = emptyModel('sha256:aaa');
  seed.syscalls.allow.push('read', 'write');
  const learner = new Learner({ windowSec: 5 });
  const model = learner.attach(web('c1'), T0, seed);
  const syscall = (name: string) => ev('syscall', { syscall: name });
  assert.equal(learner.observe(syscall('read'), 'c1', T0)?.outcome, 'known');
  assert.equal(learner.observe(syscall('mount'), 'c1', T0)?.outcome, 'learned', 'a learning model learns');
  learner.advance(T0);
  learner.advance(T0 + 5_000);
  assert.equal(model.state, 'active');
  assert.equal(learner.observe(syscall('mount'), 'c1', T0 + 6_000)?.outcome, 'known', 'learned, then enforced');
  assert.deepEqual(learner.observe(syscall('ptrace'), 'c1', T0 + 6_000), { outcome: 'deviation', dimension: 'syscalls', entry: 'ptrace' });
  model.relearn(T0 + 7_000);
  for (let i = 0; i < 3; i++) assert.equal(learner.observe(syscall('read'), 'c1', T0 + 7_000)?.outcome, 'known');
  const counted = model.snapshot((ms) => new Date(ms).toISOString()).syscalls.sources.find((s) => s.kind === 'learned');
  assert.equal(counted?.count, 3, 'learning again: an allowed syscall is counted by the model, not answered by the index');
  assert.equal(learner.observe(syscall('ptrace'), 'c1', T0 + 7_000)?.outcome, 'learned');
  learner.advance(T0 + 12_000);
  model.extend(60);
  assert.equal(model.state, 'learning');
  assert.equal(learner.observe(syscall('bpf'), 'c1', T0 + 13_000)?.outcome, 'learned');
  learner.detach('c1');
  assert.equal(learner.observe(syscall('read'), 'c1', T0 + 14_000), undefined, 'a detached container has no model');
});

test('a model\'s programs are allowed from the shared index until it learns again, and another model\'s stay', () => {
  const seed = emptyModel('sha256:aaa');
  seed.processes.push({ path: '/usr/sbin/nginx', sources: [{ kind: 'image' }] });
  const learner = new Learner({ windowSec: 5 });
  const a = learner.attach(web('c1'), T0, seed);
  const b = learner.attach(web('c2', 'sha256:bbb'), T0);
  learner.observe(exec('/usr/sbin/nginx'), 'c2', T0);
  learner.observe(exec('/usr/bin/curl'), 'c1', T0);
  learner.advance(T0);
  learner.advance(T0 + 5_000);
  assert.ok(a.allows('processes', '/usr/bin/curl') && b.allows('processes', '/usr/sbin/nginx'));
  assert.equal(learner.observe(exec('/usr/bin/curl'), 'c1', T0 + 6_000)?.outcome, 'known');
  assert.equal(learner.observe(exec('/usr/bin/curl'), 'c2', T0 + 6_000)?.outcome, 'deviation', 'what one model learned is not another\'s');
  a.relearn(T0 + 7_000);
  assert.ok(!a.allows('processes', '/usr/bin/curl'), 'learning again: what it learned is gone');
  assert.ok(a.allows('processes', '/usr/sbin/nginx') && b.allows('processes', '/usr/sbin/nginx'), 'its static program stays, and so does the other model\'s');
});

test('a peer known by a name the container asked is learned by the name, allowed at any address the name has, and by a declared shorter form; a model that learned the address still allows it', () => {
  const API = 'api.shop.svc.cluster.local';
  const named = (address: string, names: string[]) => ev('connect', { network: { protocol: 'tcp', remoteAddress: address, remotePort: 80, remoteNames: names } });
  const forms = [API, 'api', 'api.shop', 'api.shop.svc'];
  const learner = new Learner({ windowSec: 5 });
  learner.attach(web('c1'), T0);
  assert.deepEqual(learner.observe(named('10.96.7.7', forms), 'c1', T0), { outcome: 'learned', dimension: 'egress', entry: `tcp/${API}:80` });
  assert.deepEqual(learner.observe(connect('10.0.0.7', 6379), 'c1', T0 + 1), { outcome: 'learned', dimension: 'egress', entry: 'tcp/10.0.0.7:6379' });
  learner.advance(T0);
  learner.advance(T0 + 5_000);
  assert.equal(learner.observe(named('10.96.8.8', forms), 'c1', T0 + 6_000)?.outcome, 'known', 'the Service recreated: a new ClusterIP, the same name');
  assert.deepEqual(learner.observe(connect('10.96.8.8', 80), 'c1', T0 + 6_000), { outcome: 'deviation', dimension: 'egress', entry: 'tcp/10.96.8.8:80' }, 'an address no name was given for');
  assert.deepEqual(learner.observe(named('10.96.9.9', ['evil.example']), 'c1', T0 + 6_000), { outcome: 'deviation', dimension: 'egress', entry: 'tcp/evil.example:80' });
  assert.equal(learner.observe(ev('connect', { network: { protocol: 'tcp', remoteAddress: '10.0.0.7', remotePort: 6379, remoteNames: ['redis.shop.svc.cluster.local'] } }), 'c1', T0 + 6_000)?.outcome, 'known', 'learned by its address before it had a name');
  const egress = learner.models.get('sha256:aaa')!.snapshot((ms) => new Date(ms).toISOString()).network.egress.map((e) => `${e.host}:${e.port}`);
  assert.deepEqual(egress, [`${API}:80`, '10.0.0.7:6379']);

  // declared as the manifest writes it (`http://api`): the short form the container's resolver completes
  const seed = emptyModel('sha256:bbb');
  seed.network.egress.push({ host: 'api', port: 80, protocol: 'tcp', sources: [{ kind: 'declared', file: 'deploy.yaml', line: 12 }] });
  const declared = new Learner({ windowSec: 0 });
  declared.attach(web('c2', 'sha256:bbb'), T0, seed);
  assert.equal(declared.observe(named('10.96.7.7', forms), 'c2', T0)?.outcome, 'known');
  assert.equal(declared.observe(named('10.96.7.7', [API.replace('shop', 'other'), 'api.other']), 'c2', T0)?.outcome, 'deviation', 'the same Service name in another namespace');
});

test('programs are never generalised: what was learned is allowed, and no program the learner never saw is, whatever its name looks like', async () => {
  const fc = (await import('fast-check')).default;
  const name = fc.oneof(
    fc.constantFrom('python3', 'node18', 'sh', 'busybox', 'abc123', '3f2a9c1e', 'tmp.Xa81Kq', 'perl5.36', 'x86_64-linux-gnu-gcc-12'),
    fc.stringMatching(/^[a-z][a-z0-9.-]{0,11}$/),
  );
  const path = fc.tuple(fc.constantFrom('/usr/bin', '/usr/local/bin', '/bin', '/tmp', '/app/bin/v2'), name).map(([dir, n]) => `${dir}/${n}`);
  fc.assert(fc.property(fc.uniqueArray(path, { minLength: 1, maxLength: 15 }), fc.array(path, { maxLength: 15 }), (learned, later) => {
    const learner = new Learner({ windowSec: 5 });
    learner.attach(web('c1'), T0);
    for (const p of learned) learner.observe(exec(p), 'c1', T0);
    learner.advance(T0);
    learner.advance(T0 + 5_000);
    for (const p of learned) assert.equal(learner.observe(exec(p), 'c1', T0 + 6_000)?.outcome, 'known', p);
    for (const p of later.filter((q) => !learned.includes(q))) assert.equal(learner.observe(exec(p), 'c1', T0 + 6_000)?.outcome, 'deviation', `${p} after learning ${learned.join(' ')}`);
  }), { numRuns: 200 });
});
