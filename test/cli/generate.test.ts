import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { profileAllows, type SeccompProfile } from '../../src/enforce/index.ts';
import { Analysis, emptyModel } from '../../src/model/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { tenet } from '../run-cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tenet-cli-generate-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function app(name: string, files: Record<string, string>): string {
  const dir = join(tmp, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const api = app('api', {
  'package.json': '{"name": "api", "main": "server.js"}',
  'server.js': "const http = require('http');\nhttp.createServer((q, r) => r.end('ok')).listen(3000);\nrequire(process.env.PLUGIN);\n",
});
const worker = app('worker', {
  'package.json': '{"name": "worker", "main": "index.js"}',
  'index.js': "require('child_process').execFile('convert');\n",
});

test('tenet generate seccomp APP_DIR prints a Docker/OCI profile and says on standard error what widened it', async () => {
  const run = tenet(['generate', 'seccomp', api]);
  assert.equal(run.status, 0, run.stderr);
  const profile = JSON.parse(run.stdout) as { defaultAction: string; syscalls: Array<{ names: string[] }> };
  assert.equal(profile.defaultAction, 'SCMP_ACT_ERRNO');
  assert.ok(profile.syscalls[0]!.names.includes('listen'));
  assert.ok(!profile.syscalls[0]!.names.includes('wait4'), 'the app starts no process');
  assert.match(run.stderr, /TN020 server\.js:3 Module named at run time/);
});

test('tenet generate seccomp --explain says why each syscall is allowed: Node.js itself, the API and line that needs it, and what each widening alone adds', async () => {
  const run = tenet(['generate', 'seccomp', api, '--explain']);
  assert.equal(run.status, 0, run.stderr);
  const allowed = profileAllows(JSON.parse(run.stdout) as SeccompProfile);
  assert.match(run.stderr, new RegExp(`app:api: ${allowed.length} syscalls, \\d+% of Docker's default 308`));
  assert.match(run.stderr, /\d+ {2}Node\.js 24\.[\d.]+ itself/);
  assert.match(run.stderr, /listen +http\.createServer +server\.js:2/);
  assert.match(run.stderr, /\+\d+ +computed-module at server\.js:3 \(require\(process\.env\.PLUGIN\)\): .*inotify_add_watch/);
  const counts = [...run.stderr.matchAll(/^ {2} *(\d+) {2}/gm)].map((m) => Number(m[1]));
  assert.equal(counts.reduce((a, b) => a + b, 0), allowed.length, 'every allowed syscall is explained once');
  assert.equal(tenet(['generate', 'networkpolicy', api, '--explain']).status, 2);
});

test('tenet generate seccompprofile prints one SPO resource per app; seccomp needs one model', async () => {
  const run = tenet(['generate', 'seccompprofile', api, worker, '--namespace', 'shop']);
  assert.equal(run.status, 0, run.stderr);
  const resources = parseAllDocuments(run.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace: string } });
  assert.deepEqual(resources.map((r) => `${r.kind} ${r.metadata.namespace}/${r.metadata.name}`), ['SeccompProfile shop/api', 'SeccompProfile shop/worker']);

  const ambiguous = tenet(['generate', 'seccomp', api, worker]);
  assert.equal(ambiguous.status, 2);
  assert.match(ambiguous.stderr, /ERR_AMBIGUOUS.*app:api, app:worker/);
  const chosen = tenet(['generate', 'seccomp', api, worker, '--model', 'worker']);
  assert.equal(chosen.status, 0, chosen.stderr);
  assert.ok((JSON.parse(chosen.stdout) as { syscalls: Array<{ names: string[] }> }).syscalls[0]!.names.includes('wait4'));
});

test('generate refuses what has no code, and an unknown kind', async () => {
  const manifests = app('manifests', { 'Dockerfile': 'FROM nginx:1.27\n' });
  const none = tenet(['generate', 'seccomp', manifests]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /ERR_NO_MODEL/);
  const kind = tenet(['generate', 'apparmor-profile', api]);
  assert.equal(kind.status, 2);
  assert.match(kind.stderr, /ERR_BAD_OPTION_VALUE/);
});

test('tenet analyze APP_DIR reports the code: entries, APIs, widening, in the table and in JSON', async () => {
  const table = tenet(['analyze', api]);
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /Code .*api: 1 modules, \d+ Node\.js APIs, \d+ syscalls \(Node\.js 24\.[\d.]+\), no new processes/);
  assert.match(table.stdout, /widened {2}computed-module require\(process\.env\.PLUGIN\) at server\.js:3/);
  assert.doesNotMatch(table.stdout, /package\.json.*TN006/, 'package.json is the app, not an unknown file');
  const json = Analysis.parse(JSON.parse(tenet(['analyze', api, '--format', 'json']).stdout));
  assert.equal(json.apps?.[0]?.model, 'app:api');
  assert.deepEqual(json.models[0]!.network.listen.map((l) => l.port), [3000]);
});

test('tenet generate nftables prints one container\'s network allow-list from any model; several need --model', async () => {
  const compose = new URL('../../examples/shop/compose.yaml', import.meta.url).pathname;
  const several = tenet(['generate', 'nftables', compose]);
  assert.equal(several.status, 2);
  assert.match(several.stderr, /ERR_AMBIGUOUS: 3 models; choose one with --model: compose:shop-dev\/api, compose:shop-dev\/cache, compose:shop-dev\/web/);
  const api = tenet(['generate', 'nftables', compose, '--model', 'api']);
  assert.equal(api.status, 0, api.stderr);
  assert.match(api.stdout, /^table inet tenet \{/m);
  assert.match(api.stdout, /set listen \{\n {4}type inet_proto \. inet_service\n {4}elements = \{ tcp \. 3000 \}/);
});

test('a seccomp profile from a learned model that never saw a container start is refused, unless --partial', async () => {
  const data = join(tmp, 'unstarted');
  const store = new SqliteStore(data);
  const model = { ...emptyModel('sha256:learned', { image: 'redis:7' }), state: 'active' as const };
  model.syscalls.allow.push('read', 'write', 'epoll_wait');
  model.learning = { windowSec: 60, observedSec: 60, startedAt: '2026-11-30T10:00:00.000Z', replicas: ['c1'], outliers: [], overflow: [] };
  await store.putModels([model]);
  await store.close();
  const refused = tenet(['generate', 'seccomp', '--data', data]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /ERR_INCOMPLETE: sha256:learned never saw a container start with the syscall sensor on/);
  assert.match(refused.stderr, /tenet models relearn MODEL/);
  const partial = tenet(['generate', 'seccomp', '--data', data, '--partial']);
  assert.equal(partial.status, 0, partial.stderr);
  assert.ok((JSON.parse(partial.stdout) as { syscalls: Array<{ names: string[] }> }).syscalls[0]!.names.includes('epoll_wait'));
  const started = new SqliteStore(data);
  await started.putModels([{ ...model, learning: { ...model.learning, starts: 1 } }]);
  await started.close();
  assert.equal(tenet(['generate', 'seccomp', '--data', data]).status, 0);
});
