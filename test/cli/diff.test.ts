import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tenet } from '../run-cli.ts';

const SHOP = fileURLToPath(new URL('../../examples/shop/k8s/shop.yaml', import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'tenet-diff-'));

type Change = { model: string; dimension: string; change: string; entry: string; widening: boolean; sources: Array<{ file?: string; line?: number; path?: string }> };
const brief = (c: Change) => [c.model, c.dimension, c.change, c.entry, c.widening, c.sources.map((s) => `${s.file?.replace(/^.*\//, '')}:${s.line}`)[0]];

/** Two versions of the example shop's manifests: the API gains NET_RAW, the cache stops declaring its port. */
function manifests(): { old: string; next: string } {
  const dir = tmp();
  const old = join(dir, 'old');
  const next = join(dir, 'new');
  mkdirSync(old);
  mkdirSync(next);
  const yaml = readFileSync(SHOP, 'utf8');
  writeFileSync(join(old, 'shop.yaml'), yaml);
  writeFileSync(join(next, 'shop.yaml'), yaml
    .replace('securityContext: { runAsUser: 1000, readOnlyRootFilesystem: true }', 'securityContext: { runAsUser: 1000, readOnlyRootFilesystem: true, capabilities: { add: [NET_RAW] } }')
    .replace('ports: [{ name: redis, containerPort: 6379 }]', 'ports: []'));
  return { old, next };
}

test('manifests: a capability added and a port removed are exactly the model changes, with their files and lines', () => {
  const { old, next } = manifests();
  const run = tenet(['diff', old, next, '--format', 'json']);
  assert.equal(run.status, 0, run.stderr);
  const diff = JSON.parse(run.stdout) as { changes: Change[]; modelsAdded: string[]; modelsRemoved: string[] };
  assert.deepEqual(diff.changes.filter((c) => c.dimension !== 'supermodel').map(brief), [
    ['Deployment/shop/api', 'capabilities', 'added', 'NET_RAW', true, 'shop.yaml:58'],
    ['StatefulSet/shop/cache/redis', 'listen', 'removed', '6379/tcp', false, 'shop.yaml:82'],
  ]);
  assert.deepEqual(diff.changes.filter((c) => c.dimension === 'supermodel').map(brief), [['shop', 'supermodel', 'removed', 'shop/api → shop/cache:6379/tcp', false, 'shop.yaml:54']],
    'the graph loses the flow to the port no longer declared');
  assert.deepEqual([diff.modelsAdded, diff.modelsRemoved], [[], []]);
  assert.equal(tenet(['diff', old, next, '--fail-on', 'widening']).status, 1, 'a CI gate fails on the capability');
  assert.equal(tenet(['diff', next, old, '--fail-on', 'widening']).status, 1, 'backwards, the port comes back: widening too');
  const same = tenet(['diff', old, old, '--fail-on', 'widening']);
  assert.deepEqual([same.status, same.stdout], [0, 'No intent change.\n']);
});

test('code: a child_process call and a new port in a Node.js app, each from its line', () => {
  const dir = tmp();
  for (const v of ['v1', 'v2']) {
    mkdirSync(join(dir, v));
    writeFileSync(join(dir, v, 'package.json'), '{ "name": "app", "version": "1.0.0", "main": "server.js" }\n');
  }
  writeFileSync(join(dir, 'v1', 'server.js'), "const http = require('http');\nhttp.createServer((req, res) => res.end('ok')).listen(3000);\n");
  writeFileSync(join(dir, 'v2', 'server.js'), [
    "const http = require('http');",
    "const { execFile } = require('child_process');",
    "http.createServer((req, res) => execFile('convert', ['in.png', 'out.jpg'], () => res.end('ok'))).listen(3000);",
    "http.createServer((req, res) => res.end('admin')).listen(9090);",
  ].join('\n'));
  const diff = JSON.parse(tenet(['diff', join(dir, 'v1'), join(dir, 'v2'), '--format', 'json']).stdout) as { changes: Change[] };
  const notSyscalls = diff.changes.filter((c) => c.dimension !== 'syscalls').map(brief);
  assert.deepEqual(notSyscalls, [['NodeApp/app', 'processes', 'added', 'convert', true, 'server.js:3'], ['NodeApp/app', 'listen', 'added', '9090/tcp', true, 'server.js:4']]);
  const syscalls = diff.changes.filter((c) => c.dimension === 'syscalls');
  assert.ok(syscalls.some((c) => c.entry === 'clone' || c.entry === 'clone3'), 'starting a process needs its syscalls');
  assert.ok(syscalls.every((c) => c.change === 'added' && c.widening && c.sources.some((s) => s.file === 'server.js' && s.line === 3)), 'the model\'s syscalls name the call among their sources');
});

test('a git revision of a folder is a side: its evidence is named by revision and path', () => {
  const repo = tmp();
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  const { old, next } = manifests();
  git('init', '-q');
  cpSync(old, join(repo, 'deploy'), { recursive: true });
  git('add', '.');
  git('commit', '-qm', 'v1');
  cpSync(next, join(repo, 'deploy'), { recursive: true });
  const run = tenet(['diff', 'HEAD:deploy', 'deploy', '--format', 'json'], { cwd: repo });
  assert.equal(run.status, 0, run.stderr);
  const changes = (JSON.parse(run.stdout) as { changes: Change[] }).changes;
  assert.deepEqual(changes.filter((c) => c.dimension !== 'supermodel').map((c) => [c.entry, c.sources[0]?.file]), [['NET_RAW', 'deploy/shop.yaml'], ['6379/tcp', 'HEAD:deploy/shop.yaml']]);
  const missing = tenet(['diff', 'nope:deploy', 'deploy'], { cwd: repo });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /ERR_PATH_NOT_FOUND.*nope is not a git revision/);
});

test('formats: a pull-request comment, SARIF with each change located, and usage errors', () => {
  const { old, next } = manifests();
  const markdown = tenet(['diff', old, next, '--format', 'markdown']).stdout;
  assert.match(markdown, /^### Intent change: ⚠️ 1 widening/);
  assert.match(markdown, /\| ➕ \| capabilities \| `NET_RAW` \| \*\*widening\*\* \| .*shop\.yaml:58/);
  const sarif = JSON.parse(tenet(['diff', old, next, '--format', 'sarif']).stdout) as { runs: Array<{ results: Array<{ ruleId: string; level: string; locations?: Array<{ physicalLocation: { region?: { startLine: number } } }> }> }> };
  const results = sarif.runs[0]!.results;
  assert.deepEqual(results.map((r) => [r.ruleId, r.level, r.locations?.[0]?.physicalLocation.region?.startLine]), [
    ['intent-widening', 'warning', 58], ['intent-narrowing', 'note', 82], ['intent-narrowing', 'note', 54],
  ]);
  assert.equal(tenet(['diff', old]).status, 2);
  assert.match(tenet(['diff', old, next, '--format', 'xml']).stderr, /ERR_BAD_OPTION_VALUE/);
  assert.match(tenet(['diff', old, next, '--fail-on', 'high']).stderr, /--fail-on must be widening or none/);
});
