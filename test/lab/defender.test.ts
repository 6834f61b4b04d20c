import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import type { Audit, Incident, IntentModel } from '../../src/model/index.ts';
import { BIN, tenet } from '../run-cli.ts';
import { answers, docker, inLab, LAB_IMAGES, LAB_LABEL, sleep, until } from './lab.ts';

const work = mkdtempSync(join(tmpdir(), 'tenet-lab-defender-'));
const data = join(work, 'data');
const NETWORK = 'tenet-lab-defender';
const LEARN_SEC = 20;
const label = ['--label', `${LAB_LABEL}=defender-test`];
const started: string[] = [];
let defender: ChildProcess | undefined;

after(() => {
  defender?.kill('SIGKILL');
  for (const id of started) spawnQuiet('rm', '-f', id);
  spawnQuiet('network', 'rm', NETWORK);
  rmSync(work, { recursive: true, force: true });
});

function spawnQuiet(...args: string[]): void {
  try {
    docker(...args);
  } catch {
    // already gone
  }
}

function run(name: string, image: string, ...args: string[]): string {
  spawnQuiet('rm', '-f', name);
  // no search domain: a name of the test resolves inside the network, never outside
  const id = docker('run', '-d', ...label, '--name', name, '--network', NETWORK, '--network-alias', name, '--dns-search', '.', image, ...args);
  started.push(id);
  return id;
}

const ip = (name: string) => {
  try {
    return docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${NETWORK}").IPAddress}}`, name);
  } catch (e) {
    // a container gone from under the test: say what the engine has, to find who took it
    throw new Error(`${(e as Error).message}\ncontainers now: ${docker('ps', '-a', '--format', '{{.Names}} {{.Status}} {{.Labels}}')}`);
  }
};

const models = (): IntentModel[] => JSON.parse(tenet(['models', '--data', data, '--format', 'json']).stdout) as IntentModel[];
const modelOf = (name: string) => {
  const imageId = docker('inspect', '-f', '{{.Image}}', name);
  return models().find((m) => m.id === imageId);
};

// The prober: a bash loop that asks DNS for `web` and `db`, talks to both, and
// connects wherever /etc/extra-target names (a file copied in later), with
// bash builtins only, so its model is small and exact.
const PROBER = `
for i in $(seq 1 10000); do : > /tmp/upload-$i-$RANDOM.tmp; done
while true; do
  exec 3<>/dev/tcp/web/80 && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && while read -r -t 1 line <&3; do :; done; exec 3<&-
  exec 4<>/dev/tcp/db/6379 && printf 'PING\\r\\n' >&4 && read -r -t 1 pong <&4; exec 4<&-
  if [ -f /etc/extra-target ]; then read -r target < /etc/extra-target; exec 5<>/dev/tcp/$target/9000; exec 5<&-; fi
  sleep 0.3
done`;

test('the defender learns real containers under load, then reports a shell, a dropped binary and a new peer within a second', { timeout: 300_000 }, async (t) => {
  if (!(await inLab(t))) return;
  spawnQuiet('network', 'rm', NETWORK);
  docker('network', 'create', ...label, NETWORK);

  defender = spawn(process.execPath, [BIN, 'defender', '--learn-for', `${LEARN_SEC}s`, '--data', data], { stdio: ['ignore', 'pipe', 'pipe'] });
  const audits: Array<{ audit: Audit; at: number }> = [];
  const log: string[] = [];
  createInterface({ input: defender.stdout! }).on('line', (line) => audits.push({ audit: JSON.parse(line) as Audit, at: Date.now() }));
  createInterface({ input: defender.stderr! }).on('line', (line) => log.push(line));
  await until('the defender runs', () => (log.some((l) => l.includes('defender running')) ? true : undefined), 60_000)
    .catch((e: Error) => { throw new Error(`${e.message}\n${log.join('\n')}`); });

  run('web', LAB_IMAGES.nginx);
  run('db', LAB_IMAGES.redis);
  run('api', LAB_IMAGES.nodeApp);
  run('peer', LAB_IMAGES.busybox, 'sh', '-c', 'while true; do nc -l -p 9000 < /dev/null; done');
  await sleep(1000);
  run('prober', LAB_IMAGES.debian, 'bash', '-c', PROBER);

  // Real load while the models learn.
  const webIp = ip('web');
  await answers(`http://${webIp}/`);
  execFileSync('wrk', ['-t2', '-c20', '-d5s', `http://${webIp}/`], { stdio: 'ignore' });
  execFileSync('redis-benchmark', ['-h', ip('db'), '-n', '20000', '-q', '-t', 'set,get'], { stdio: 'ignore' });
  const apiIp = ip('api');
  // each request on its own connection, so the server's whole connection life (accept to close) happens while it learns
  for (let i = 0; i < 200; i++) await fetch(`http://${apiIp}:3000/`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(5000) }).then((r) => r.text());

  // Every model becomes active once its containers ran for the window.
  const names = ['web', 'db', 'api', 'prober'];
  await until('every model active', () => {
    const all = names.map(modelOf);
    return all.every((m) => m?.state === 'active') ? all : undefined;
  }, (LEARN_SEC + 60) * 1000).catch((e: Error) => { throw new Error(`${e.message}\n${tenet(['status', '--data', data]).stdout}\n${log.join('\n')}`); });

  const [web, db, api, prober] = names.map((n) => modelOf(n)!);
  t.diagnostic(tenet(['status', '--data', data]).stdout);
  const listen = (m: IntentModel) => m.network.listen.map((l) => `${l.protocol}/${l.port}`);
  const paths = (m: IntentModel) => m.processes.map((p) => p.path);
  assert.ok(paths(web!).includes('/usr/sbin/nginx'), paths(web!).join());
  assert.ok(listen(web!).includes('tcp/80'));
  assert.ok(web!.filesystem.writable.some((w) => w.path.startsWith('/var/log/nginx') && w.sources.some((s) => s.kind === 'learned')), JSON.stringify(web!.filesystem.writable.map((w) => w.path)));
  assert.ok(web!.syscalls.allow.includes('accept4') && web!.syscalls.allow.includes('epoll_wait'), web!.syscalls.allow.join());
  assert.ok(paths(db!).includes('/usr/bin/redis-server'), paths(db!).join());
  assert.ok(listen(db!).includes('tcp/6379'));
  assert.ok(listen(api!).includes('tcp/3000'));
  assert.ok(paths(api!).some((p) => p.endsWith('/node')), paths(api!).join());
  assert.deepEqual(prober!.network.dns.map((d) => d.name).sort(), ['db', 'web']);
  // the two services, and Docker's DNS server on the network
  assert.deepEqual(prober!.network.egress.map((e) => `${e.protocol}/${e.host}:${e.port}`).sort(), [`tcp/${ip('db')}:6379`, `tcp/${webIp}:80`, 'udp/127.0.0.11:53'].sort());
  // 10,000 temp file names: a handful of entries, one of them the folder
  const tmp = prober!.filesystem.writable.find((w) => w.path === '/tmp/*');
  assert.ok(tmp !== undefined && (tmp.sources[0]!.count ?? 0) >= 10_000, JSON.stringify(prober!.filesystem.writable.map((w) => w.path)));
  assert.ok(prober!.filesystem.writable.length <= 8, `${prober!.filesystem.writable.length} writable entries`);
  for (const m of [web!, db!, api!, prober!]) {
    assert.equal(m.remainingLearningDurationSec, 0);
    assert.ok(m.syscalls.sources.some((s) => s.kind === 'learned'));
  }
  t.diagnostic(`learned: web ${web!.syscalls.allow.length} syscalls, ${web!.filesystem.writable.length} writable; db ${db!.syscalls.allow.length}; api ${api!.syscalls.allow.length}; prober ${prober!.processes.length} processes, ${prober!.filesystem.writable.length} writable`);
  const quiet = audits.length;

  // A shell in the web container.
  const reported = async (what: string, act: () => void, match: (a: Audit) => boolean) => {
    const from = Date.now();
    act();
    const found = await until(what, () => audits.find((a) => a.at >= from && match(a.audit)), 5000);
    const latency = found.at - from;
    t.diagnostic(`${what}: ${found.audit.rule} after ${latency} ms: ${found.audit.message}`);
    assert.ok(latency <= 1000, `${what} took ${latency} ms`);
    assert.equal(found.audit.container.name, what.startsWith('new peer') ? 'prober' : 'web');
    assert.ok(found.audit.container.imageId?.startsWith('sha256:'));
    assert.ok(found.audit.event.process?.pid !== undefined);
    return found.audit;
  };
  const shell = await reported('shell', () => void spawn('docker', ['exec', 'web', 'sh', '-c', 'true']), (a) => a.rule === 'unexpected-process' && a.event.process?.path === '/usr/bin/sh');
  assert.equal(shell.lacked?.dimension, 'processes');
  assert.equal(shell.model, web!.id);

  writeFileSync(join(work, 'dropped'), execFileSync('cat', ['/bin/true']), { mode: 0o755 });
  docker('cp', join(work, 'dropped'), 'web:/usr/local/bin/dropped');
  const drift = await reported('dropped binary', () => void spawn('docker', ['exec', 'web', '/usr/local/bin/dropped']), (a) => a.rule === 'drift');
  assert.equal(drift.event.process?.path, '/usr/local/bin/dropped');

  writeFileSync(join(work, 'target'), `${ip('peer')}\n`);
  // the peer is a workload of the prober's own network, which the network's graph does not connect it to: lateral movement
  const peer = await reported('new peer', () => docker('cp', join(work, 'target'), 'prober:/etc/extra-target'), (a) => a.rule === 'lateral-movement');
  assert.equal(peer.lacked?.entry, `tcp/${ip('peer')}:9000`);
  assert.equal(peer.event.process?.path, '/usr/bin/bash');

  // Nothing else was reported between learning and the attacks: no storm.
  assert.deepEqual(audits.slice(0, quiet).map((a) => a.audit.message).filter((m) => !m.includes('prober')), []);

  // bpftrace killed: the defender starts it again and carries on.
  const before = JSON.parse(tenet(['status', '--data', data, '--format', 'json']).stdout) as { defender: { sensor: { starts: number } } };
  execFileSync('pkill', ['-KILL', '-f', 'sensor.bt']);
  await until('the sensor restarted', () => {
    const status = JSON.parse(tenet(['status', '--data', data, '--format', 'json']).stdout) as { defender: { sensor: { running: boolean; restarts: number; starts: number } } };
    return status.defender.sensor.running && status.defender.sensor.starts > before.defender.sensor.starts ? status : undefined;
  }, 30_000);
  await reported('shell after restart', () => void spawn('docker', ['exec', 'web', 'sh', '-c', 'true']), (a) => a.rule === 'unexpected-process');

  const status = tenet(['status', '--data', data]);
  assert.equal(status.status, 0);
  assert.match(status.stdout, /Defender {3}running/);
  assert.match(status.stdout, /Sensor {5}running; \d+ starts, [1-9]\d* restarts, \d+ records, \d+ events lost, \d+ garbage lines/);
  const stored = JSON.parse(tenet(['audits', '--data', data, '--format', 'json']).stdout) as Audit[];
  assert.ok(stored.some((a) => a.rule === 'drift'));
  // each `docker exec` in web is a story of its own (two shells, the dropped binary); the prober reaching a neighbour outside the graph another
  const incidents = JSON.parse(tenet(['incidents', '--data', data, '--format', 'json']).stdout) as Incident[];
  assert.deepEqual(incidents.map((i) => [i.container.name, i.pattern, i.severity]).sort(), [
    ['prober', 'lateral-movement', 'high'], ['web', 'dropped-program', 'critical'], ['web', 'shell-in-container', 'high'], ['web', 'shell-in-container', 'high'],
  ]);
  t.diagnostic(`incident: ${incidents[0]!.title}: ${incidents[0]!.timeline.map((e) => `${e.rule}${e.count > 1 ? ` ×${e.count}` : ''}`).join(' → ')}`);

  defender.kill('SIGTERM');
  await new Promise((r) => defender!.once('close', r));
  assert.equal(defender.exitCode, 0, log.slice(-20).join('\n'));
  defender = undefined;
});

test('a container running before the defender is learned from /proc at once, and a restarted defender goes on with its models', { timeout: 180_000 }, async (t) => {
  if (!(await inLab(t))) return;
  const dir = join(work, 'early');
  const id = docker('run', '-d', ...label, LAB_IMAGES.nginx);
  started.push(id);
  const imageId = docker('inspect', '-f', '{{.Image}}', id);
  const start = () => spawn(process.execPath, [BIN, 'defender', '--learn-for', '3s', '--data', dir, '--quiet'], { stdio: 'ignore' });
  const model = () => {
    const run = tenet(['models', '--data', dir]);
    return run.status === 0 ? (JSON.parse(run.stdout) as IntentModel[]).find((m) => m.id === imageId) : undefined;
  };
  const gone = docker('run', '-d', ...label, LAB_IMAGES.busybox, 'sleep', '600');
  started.push(gone);
  let child = start();
  try {
    const learned = await until('the model of the running container is active', () => (model()?.state === 'active' ? model() : undefined), 60_000);
    assert.ok(learned.processes.some((p) => p.path === '/usr/sbin/nginx' && p.sources.some((s) => s.kind === 'learned')), JSON.stringify(learned.processes));
    assert.ok(learned.network.listen.some((l) => l.port === 80 && l.sources.some((s) => s.kind === 'learned')), 'its listening socket, from /proc');
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
    // a container removed while no defender watched is no longer listed as running once one does again
    docker('rm', '-f', gone);

    child = start();
    await until('the defender reports again', () => {
      const status = JSON.parse(tenet(['status', '--data', dir, '--format', 'json']).stdout) as { defender: { pid: number; models: Array<{ id: string; state: string }> } };
      return status.defender.pid === child.pid && status.defender.models.some((m) => m.id === imageId && m.state === 'active') ? true : undefined;
    }, 60_000);
    const containers = (JSON.parse(tenet(['status', '--data', dir, '--format', 'json']).stdout) as { containers: Array<{ id: string; running: boolean }> }).containers;
    assert.deepEqual(containers.filter((c) => c.id === gone).map((c) => c.running), [false]);
    const restored = model()!;
    assert.equal(restored.state, 'active', 'not learning again from nothing');
    assert.ok((restored.learning?.observedSec ?? 0) >= 3);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
  }
});

test('other tools\' output (a Falco alert stream) feeds the same models and audits', { timeout: 120_000 }, async (t) => {
  if (!(await inLab(t))) return;
  const { eventFixtures } = await import('../sensor/fixtures.ts');
  const dir = join(work, 'ingest');
  const feed = join(work, 'falco.jsonl');
  writeFileSync(feed, '');
  const id = docker('run', '-d', ...label, LAB_IMAGES.busybox, 'sleep', '600');
  started.push(id);
  const child = spawn(process.execPath, [BIN, 'defender', '--no-sensor', '--learn-for', '2s', '--data', dir, '--ingest', `falco:${feed}`], { stdio: ['ignore', 'pipe', 'ignore'] });
  const audits: Audit[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => audits.push(JSON.parse(line) as Audit));
  try {
    const imageId = docker('inspect', '-f', '{{.Image}}', id);
    await until('the model is active', () => {
      const run = tenet(['models', '--data', dir]);
      return run.status === 0 && (JSON.parse(run.stdout) as IntentModel[]).some((m) => m.id === imageId && m.state === 'active') ? true : undefined;
    }, 60_000);
    // Falco's own alert, about this container (Falco names containers by their short id)
    const alert = eventFixtures('falco').map((f) => f.json as { rule?: string; output_fields: Record<string, unknown> })
      .find((j) => j.rule === 'Contact K8S API Server From Container')!;
    const ours = { ...alert, output_fields: { ...alert.output_fields, 'container.id': id.slice(0, 12) } };
    const elsewhere = { ...alert, output_fields: { ...alert.output_fields, 'container.id': 'feedfacecafe' } };
    writeFileSync(feed, `${JSON.stringify(ours)}\n{"truncated\n${JSON.stringify(elsewhere)}\n`, { flag: 'a' });
    const audit = await until('the audit', () => audits.find((a) => a.rule === 'unexpected-egress'), 10_000);
    assert.deepEqual([audit.container.id, audit.event.source, audit.lacked?.entry, audit.event.alert?.rule], [id, 'falco', 'tcp/10.96.0.1:443', 'Contact K8S API Server From Container']);
    const status = await until('the counts', () => {
      const s = JSON.parse(tenet(['status', '--data', dir, '--format', 'json']).stdout) as { defender: { ingested: { lines: number; events: number; rejected: Record<string, number>; otherContainers: number } } };
      return s.defender.ingested.lines === 3 ? s.defender.ingested : undefined;
    }, 10_000);
    assert.deepEqual(status, { lines: 3, events: 1, rejected: { 'not JSON': 1 }, otherContainers: 1 });
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
  }
});

test('threat intelligence loaded while the defender runs scores connections and DNS names at once, even while learning', { timeout: 120_000 }, async (t) => {
  if (!(await inLab(t))) return;
  const dir = join(work, 'intel');
  const net = 'tenet-lab-intel';
  spawnQuiet('network', 'rm', net);
  docker('network', 'create', ...label, net);
  const peer = docker('run', '-d', ...label, '--network', net, LAB_IMAGES.busybox, 'sh', '-c', 'while true; do nc -l -p 4444 < /dev/null; done');
  started.push(peer);
  const peerIp = docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, peer);
  // DNS questions go to an address of the container's own loopback: nothing leaves it
  const client = docker('run', '-d', ...label, '--network', net, '--dns', '127.0.0.1', '--dns-search', '.', LAB_IMAGES.debian, 'bash', '-c',
    'while true; do if [ -f /etc/target ]; then read -r t < /etc/target; exec 5<>/dev/tcp/$t/4444; exec 5<&-; getent hosts eu.pool.evil.test; fi; sleep 0.3; done');
  started.push(client);
  const child = spawn(process.execPath, [BIN, 'defender', '--learn-for', '1h', '--data', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
  const audits: Array<{ audit: Audit; at: number }> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => audits.push({ audit: JSON.parse(line) as Audit, at: Date.now() }));
  try {
    await until('the defender runs', () => {
      const run = tenet(['status', '--data', dir, '--format', 'json']);
      return run.status === 0 && (JSON.parse(run.stdout) as { defender?: { sensor: { running: boolean } } }).defender?.sensor.running === true ? true : undefined;
    }, 60_000);
    writeFileSync(join(work, 'feed.csv'), `ip,category,score,first_seen,last_seen,ports\n${peerIp},c2,95,2026-01-01,2026-11-01,4444\n`);
    writeFileSync(join(work, 'domains.txt'), '# miner pools\nevil.test\n');
    assert.equal(tenet(['intel', 'load', join(work, 'feed.csv'), '--data', dir]).status, 0);
    assert.equal(tenet(['intel', 'load', join(work, 'domains.txt'), '--data', dir]).status, 0);
    await until('the defender took the feeds up', () => {
      const status = JSON.parse(tenet(['status', '--data', dir, '--format', 'json']).stdout) as { defender: { intel: { indicators: number } } };
      return status.defender.intel.indicators === 2 ? true : undefined;
    }, 10_000);

    writeFileSync(join(work, 'client-target'), `${peerIp}\n`);
    const from = Date.now();
    docker('cp', join(work, 'client-target'), `${client}:/etc/target`);
    const peerAudit = await until('the peer audit', () => audits.find((a) => a.audit.rule === 'threat-intel-peer'), 5000);
    const dnsAudit = await until('the DNS audit', () => audits.find((a) => a.audit.rule === 'threat-intel-dns'), 5000);
    t.diagnostic(`intel: peer after ${peerAudit.at - from} ms, DNS after ${dnsAudit.at - from} ms: ${peerAudit.audit.message} / ${dnsAudit.audit.message}`);
    assert.ok(peerAudit.at - from <= 1500, 'within the loop\'s 0.3 s and the sensor\'s second');
    assert.deepEqual([peerAudit.audit.severity, peerAudit.audit.modelState, peerAudit.audit.container.id], ['critical', 'learning', client]);
    assert.deepEqual(peerAudit.audit.intel, [{ feed: 'feed.csv', format: 'csv', category: 'c2', score: 95, ports: [4444], firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-11-01T00:00:00.000Z' }]);
    assert.equal(dnsAudit.audit.event.dns?.names[0], 'eu.pool.evil.test');
    assert.deepEqual(dnsAudit.audit.intel?.map((p) => p.feed), ['domains.txt']);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
    spawnQuiet('rm', '-f', client, peer);
    spawnQuiet('network', 'rm', net);
  }
});
