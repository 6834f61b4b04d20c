import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { emptyModel, type Audit } from '../../src/model/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { tenet } from '../run-cli.ts';

const dataWith = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenet-cli-data-'));
  const store = new SqliteStore(dir);
  const model = {
    ...emptyModel('sha256:abc'), state: 'learning' as const, remainingLearningDurationSec: 42, image: 'nginx:1',
    learning: {
      windowSec: 60, observedSec: 18, startedAt: '2026-01-01T00:00:00.000Z', replicas: ['c1'], outliers: [], overflow: [],
      convergence: { converged: false, events: 37, lastNewSec: { processes: 12 }, repeatSec: {}, waiting: [{ quietSec: 0, needSec: 0, why: 'learned from 37 events, needs 100' }] },
    },
  };
  await store.putModels([model, { ...emptyModel('sha256:def'), state: 'active' as const }]);
  await store.putContainer({ id: 'c1', name: 'web', image: 'nginx:1', imageId: 'sha256:abc', running: true, model: 'sha256:abc' });
  const audit: Audit = {
    id: 'a1', time: '2026-01-01T00:00:01.000Z', rule: 'drift', severity: 'critical', message: 'web ran /tmp/x, which is not in its image',
    container: { id: 'c1', name: 'web' }, model: 'sha256:abc', event: { kind: 'exec', time: '2026-01-01T00:00:01.000Z', source: 'tenet', process: { path: '/tmp/x' } },
  };
  await store.addAudits([audit]);
  await store.putIncidents([{
    id: 'i1', pattern: 'dropped-program', title: 'A program that is not the image\'s was run', severity: 'high', container: { id: 'c1', name: 'web' },
    firstSeen: audit.time, lastSeen: audit.time, count: 3,
    timeline: [{ audit: 'a1', time: audit.time, lastTime: audit.time, rule: 'drift', severity: 'critical', message: audit.message, count: 3 }],
  }]);
  await store.putStatus('defender', {
    host: 'h', pid: 1, startedAt: '2026-01-01T00:00:00.000Z', learnForSec: 60, running: true,
    sensor: { running: true, starts: 2, restarts: 1, lines: 10, records: 9, garbage: 1, lastGarbage: 'not JSON (a truncated line?)', lost: 3 },
    counts: { records: 9, events: 8, audits: 1, unattributed: 0, dropped: 0, runtime: 0, imageErrors: 0 }, containers: 1, models: [],
  });
  await store.close();
  return dir;
};

test('status, models and audits read the store a defender wrote', async () => {
  const dir = await dataWith();
  const status = tenet(['status', '--data', dir]);
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, /Sensor {5}running; 2 starts, 1 restarts, 9 records, 3 events lost, 1 garbage lines \(last: not JSON/);
  assert.match(status.stdout, /Defender {3}running/, 'a status written just now is fresh');
  assert.match(status.stdout, /sha256:abc +learning \(42 s left at most\) +nginx:1\n +still moving: model: learned from 37 events, needs 100\n/);
  const json = JSON.parse(tenet(['status', '--data', dir, '--format', 'json']).stdout) as { models: Array<{ id: string; state: string }>; containers: unknown[] };
  assert.deepEqual(json.models.map((m) => [m.id, m.state]), [['sha256:abc', 'learning'], ['sha256:def', 'active']]);

  const models = JSON.parse(tenet(['models', '--data', dir, '--state', 'active']).stdout) as Array<{ id: string; kind: string }>;
  assert.deepEqual(models.map((m) => [m.kind, m.id]), [['IntentModel', 'sha256:def']]);
  const audits = JSON.parse(tenet(['audits', '--data', dir, '--format', 'json']).stdout) as Audit[];
  assert.deepEqual(audits.map((a) => a.rule), ['drift']);
  assert.match(tenet(['audits', '--data', dir, '--format', 'table']).stdout, /critical +drift +web ran \/tmp\/x/);
  const incidents = JSON.parse(tenet(['incidents', '--data', dir]).stdout) as Array<{ pattern: string; count: number }>;
  assert.deepEqual(incidents.map((i) => [i.pattern, i.count]), [['dropped-program', 3]]);
  assert.match(tenet(['incidents', '--data', dir, '--format', 'table']).stdout, /high +A program that is not the image's was run in web: 3 audits\n +.*drift ×3: web ran/);
});

test('relearn and extend are asked through the store, for a running defender to take up', async () => {
  const dir = await dataWith();
  assert.equal(tenet(['models', 'relearn', 'abc', '--data', dir]).status, 0);
  assert.equal(tenet(['models', 'extend', 'sha256:def', '10m', '--data', dir]).status, 0);
  const store = new SqliteStore(dir);
  assert.deepEqual(await store.takeCommands(), [{ action: 'relearn', model: 'sha256:abc' }, { action: 'extend', model: 'sha256:def', seconds: 600 }]);
  await store.close();
  const missing = tenet(['models', 'relearn', 'nope', '--data', dir]);
  assert.deepEqual([missing.status, missing.stderr.split(':')[1]?.trim()], [2, 'ERR_NO_MODEL']);
});

test('proposals are listed with their evidence; accept and reject are asked through the store; a decided one is not asked again', async () => {
  const dir = await dataWith();
  const store = new SqliteStore(dir);
  const proposal = (id: string, entry: string, state: 'open' | 'rejected') => ({
    id, model: 'sha256:def', dimension: 'syscalls', entry, state, why: `every running replica (2 containers) did it (syscalls: ${entry})`,
    evidence: { count: 2, containers: ['c1', 'c2'], firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-01T00:00:01.000Z', audits: ['a1'], blocked: 0,
      event: { kind: 'syscall', time: '2026-01-01T00:00:00.000Z', source: 'tenet', syscall: entry } },
  });
  await store.putStatus('proposals', [proposal('p-1', 'statfs', 'open'), proposal('p-2', 'ptrace', 'rejected')]);
  await store.close();
  const listed = tenet(['models', 'proposals', '--data', dir]);
  assert.match(listed.stdout, /p-1 +open +sha256:def +syscalls: statfs\n +every running replica \(2 containers\)/);
  assert.equal((JSON.parse(tenet(['models', 'proposals', '--data', dir, '--format', 'json']).stdout) as unknown[]).length, 2);
  assert.equal(tenet(['models', 'accept', 'p-1', '--data', dir]).status, 0);
  const decided = tenet(['models', 'reject', 'p-2', '--data', dir]);
  assert.deepEqual([decided.status, decided.stderr.split(':')[1]?.trim()], [2, 'ERR_NO_PROPOSAL']);
  const again = new SqliteStore(dir);
  assert.deepEqual((await again.takeCommands()).map((c) => ('proposal' in c ? [c.action, c.proposal] : [])), [['accept-proposal', 'p-1']]);
  await again.close();
  const bad = tenet(['defender', '--heal', 'syscalls,nonsense:3', '--data', dir]);
  assert.deepEqual([bad.status, bad.stderr.split(':')[1]?.trim()], [2, 'ERR_BAD_OPTION_VALUE']);
});

test('clear errors: no store in the folder, a bad duration, a bad limit', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'tenet-cli-empty-'));
  for (const command of ['status', 'models', 'audits', 'incidents']) {
    const run = tenet([command, '--data', empty]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /ERR_NO_DATA: .* holds no Tenet store: run `tenet defender --data/);
  }
  const bad = tenet(['defender', '--learn-for', 'soon', '--data', empty]);
  assert.match(bad.stderr, /ERR_BAD_OPTION_VALUE: --learn-for must be a duration such as 30s/);
  assert.match(tenet(['audits', '--data', await dataWith(), '--limit', 'x']).stderr, /ERR_BAD_OPTION_VALUE: --limit/);
  assert.match(tenet(['defender', '--ingest', 'sysdig:/x', '--data', empty]).stderr, /ERR_BAD_OPTION_VALUE: --ingest must be FORMAT:FILE with FORMAT one of falco, tetragon, tracee/);
  assert.match(tenet(['defender', '--syscalls', 'never', '--data', empty]).stderr, /ERR_BAD_OPTION_VALUE: --syscalls must be learning or always/);
  assert.match(tenet(['defender', '--runtime', 'podman:/x', '--data', empty]).stderr, /ERR_BAD_OPTION_VALUE: --runtime must be docker, docker:SOCKET or cri:SOCKET, not "podman:\/x"/);
  const absent = join(empty, 'absent.sock');
  const unreachable = tenet(['defender', '--runtime', `cri:${absent}`, '--no-sensor', '--quiet', '--data', empty]);
  assert.equal(unreachable.status, 2);
  assert.match(unreachable.stderr, new RegExp(`ERR_RUNTIME: ListContainers: ${absent} does not answer \\(connect ENOENT`));
  assert.doesNotMatch(unreachable.stderr, /\n\s+at /, 'no stack');
});
