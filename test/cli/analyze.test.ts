import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Analysis } from '../../src/model/index.ts';
import { FIXTURES } from '../fixtures.ts';
import { spawnSync } from 'node:child_process';
import { BIN, tenet } from '../run-cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tenet-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('analyze --format json prints one document that satisfies the public schema', () => {
  const run = tenet(['analyze', join(FIXTURES, 'kubernetes'), join(FIXTURES, 'compose'), join(FIXTURES, 'marathon'), '--format', 'json', '--fail-on', 'none']);
  assert.equal(run.stderr, '');
  assert.equal(run.status, 0);
  const analysis = Analysis.parse(JSON.parse(run.stdout));
  assert.ok(analysis.models.length > 100, `only ${analysis.models.length} models`);
  assert.ok(analysis.models.every((m) => m.state === 'static' && m.apiVersion === 'tenet/v1'));
  const kinds = new Set(analysis.models.map((m) => m.workload?.kind));
  for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet', 'Pod', 'ComposeService', 'MarathonApp', 'MarathonPod']) {
    assert.ok(kinds.has(kind), `no ${kind} model`);
  }
  // Every listen, egress and process entry says where it came from; declared sources name a file and line.
  for (const m of analysis.models) {
    for (const entry of [...m.network.listen, ...m.network.egress, ...m.processes, ...m.filesystem.writable]) {
      assert.ok(entry.sources.length > 0, `${m.id}: entry without a source`);
      assert.ok(entry.sources.filter((s) => s.kind === 'declared').every((s) => s.file !== undefined && s.line !== undefined), `${m.id}: declared source without a location`);
    }
  }
});

test('the default table is readable and exit 1 follows --fail-on', () => {
  const file = join(FIXTURES, 'kubernetes/single/k8s-examples/sysdig-daemonset-privileged.yaml');
  const run = tenet(['analyze', file]);
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stdout, /^1 models, 1 applications, 0 edges; 14 findings \(2 critical, 8 high, 2 medium, 2 low\)\n\nModels \(1\)/);
  assert.match(run.stdout, /CRITICAL TN101 ×1  Privileged container\n +DaemonSet default\/sysdig-agent runs privileged\n +at \S*sysdig-daemonset-privileged\.yaml:\d+\n/);
  assert.match(run.stdout, /CRITICAL TN110 ×1 .*\n.*docker\.sock/);
  const verbose = tenet(['analyze', file, '--verbose']);
  assert.match(verbose.stdout, /CRITICAL TN101  \S*sysdig-daemonset-privileged\.yaml:\d+ .*privileged/, '--verbose lists each finding');
  assert.equal(tenet(['analyze', file, '--fail-on', 'none']).status, 0);
  assert.equal(tenet(['analyze', join(FIXTURES, 'kubernetes/single/website/networkpolicy.yaml')]).status, 0);
});

test('SARIF output is SARIF 2.1.0 as GitHub code scanning takes it', () => {
  const run = tenet(['analyze', join(FIXTURES, 'compose/other'), '--format', 'sarif', '--fail-on', 'none']);
  assert.equal(run.status, 0, run.stderr);
  const sarif = JSON.parse(run.stdout);
  assert.equal(sarif.version, '2.1.0');
  assert.equal(sarif.runs.length, 1);
  const [runLog] = sarif.runs;
  assert.equal(runLog.tool.driver.name, 'Tenet');
  const ruleIds = runLog.tool.driver.rules.map((r: { id: string }) => r.id);
  assert.ok(runLog.results.length > 0);
  for (const r of runLog.results) {
    assert.ok(['error', 'warning', 'note'].includes(r.level));
    assert.equal(ruleIds[r.ruleIndex], r.ruleId);
    const loc = r.locations[0].physicalLocation;
    assert.ok(!loc.artifactLocation.uri.startsWith('/'), 'URIs are relative');
    assert.ok(loc.region.startLine >= 1);
    assert.equal(typeof r.message.text, 'string');
  }
  for (const rule of runLog.tool.driver.rules) {
    assert.match(rule.id, /^TN\d{3}$/);
    assert.ok(rule.shortDescription.text.length > 0 && rule.fullDescription.text.length > 0);
  }
});

test('malformed input: a finding with file and line each, the rest still analysed, exit 2', () => {
  const dir = join(tmp, 'malformed');
  mkdirSync(dir);
  writeFileSync(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: [indent\n');
  writeFileSync(join(dir, 'Dockerfile'), 'FROM debian:12\nRUN true\nFOOBAR baz\nUSER app\nEXPOSE 8080\n');
  writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: nginx:1.27\n    ports:\n      - "80:abc"\n      - "8443:443"\n');
  writeFileSync(join(dir, 'garbage.yaml'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0xff, 0xfe]));
  writeFileSync(join(dir, 'huge.yaml'), Buffer.alloc(50 * 1024 * 1024, 'a'));
  writeFileSync(join(dir, 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: good}\nspec:\n  containers:\n  - name: app\n    image: app:1.0\n    ports: [{containerPort: 9090}]\n');
  const run = tenet(['analyze', dir, '--format', 'json']);
  assert.equal(run.status, 2, run.stderr);
  const { models, findings } = Analysis.parse(JSON.parse(run.stdout));
  const at = (code: string) => findings.filter((f) => f.code === code).map((f) => `${f.location.file.split('/').pop()}:${f.location.line}`);
  assert.deepEqual(at('TN004'), ['broken.yaml:4']);
  assert.deepEqual(at('TN008'), ['Dockerfile:3']);
  assert.deepEqual(at('TN007'), ['compose.yaml:5']);
  assert.deepEqual(at('TN003'), ['garbage.yaml:1']);
  assert.deepEqual(at('TN002'), ['huge.yaml:1']);
  // The good parts are still modelled: the pod, the Dockerfile (past its bad line), the compose service's good port.
  const pod = models.find((m) => m.workload?.name === 'good');
  assert.deepEqual(pod?.network.listen.map((l) => l.port), [9090]);
  const dockerfile = models.find((m) => m.workload?.kind === 'Dockerfile');
  assert.deepEqual(dockerfile?.network.listen.map((l) => l.port), [8080]);
  assert.equal(dockerfile?.security.user?.value, 'app');
  const web = models.find((m) => m.workload?.kind === 'ComposeService');
  assert.deepEqual(web?.network.listen.map((l) => [l.port, l.hostPort]), [[443, 8443]]);
});

test('files are recognised by content, whatever their names', () => {
  const dir = join(tmp, 'names');
  mkdirSync(dir);
  writeFileSync(join(dir, 'build-recipe'), '# a Dockerfile without the name\nFROM alpine:3.20\nEXPOSE 53/udp\n');
  writeFileSync(join(dir, 'manifest.txt'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: named-oddly}\nspec: {containers: [{name: c, image: busybox:1.36}]}\n');
  const run = tenet(['analyze', join(dir, 'build-recipe'), join(dir, 'manifest.txt'), '--format', 'json', '--fail-on', 'none']);
  assert.equal(run.status, 0, run.stderr);
  const { models } = Analysis.parse(JSON.parse(run.stdout));
  assert.deepEqual(models.map((m) => m.workload?.kind).sort(), ['Dockerfile', 'Pod']);
  assert.deepEqual(models.find((m) => m.workload?.kind === 'Dockerfile')?.network.listen.map((l) => [l.port, l.protocol]), [[53, 'udp']]);
});

test('valid files that describe nothing to model are skipped with an info finding', () => {
  const run = tenet(['analyze',
    join(FIXTURES, 'kubernetes/microservices-demo/kustomization.yaml'),
    join(FIXTURES, 'kubernetes/bookinfo/destination-rule-all.yaml'),
    join(FIXTURES, 'compose/schema/compose-spec.json'),
    '--format', 'json', '--fail-on', 'info']);
  const { models, findings } = Analysis.parse(JSON.parse(run.stdout));
  assert.equal(models.length, 0);
  assert.deepEqual(findings.map((f) => [f.code, f.severity, f.location.file.split('/').pop()]), [
    ['TN006', 'info', 'compose-spec.json'],
    ['TN006', 'info', 'destination-rule-all.yaml'],
    ['TN006', 'info', 'kustomization.yaml'],
  ]);
  assert.equal(run.status, 1, 'info findings meet --fail-on info');
});

test('usage errors are coded and exit 2', () => {
  assert.match(tenet(['analyze']).stderr, /^tenet: ERR_USAGE: /);
  assert.match(tenet(['analyze', '/no/such/path']).stderr, /^tenet: ERR_PATH_NOT_FOUND: /);
  assert.match(tenet(['analyze', '.', '--format', 'xml']).stderr, /^tenet: ERR_BAD_OPTION_VALUE: /);
  assert.match(tenet(['frobnicate']).stderr, /^tenet: ERR_UNKNOWN_COMMAND: /);
  assert.equal(tenet(['analyze', '--bogus']).status, 2);
  const help = tenet(['analyze', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--fail-on/);
});

test('a repository walk reads manifests and Dockerfiles only, and tells templates from broken YAML', () => {
  const dir = join(tmp, 'repo');
  mkdirSync(join(dir, 'chart/templates'), { recursive: true });
  writeFileSync(join(dir, 'LICENSE'), 'Apache License\nVersion 2.0: January 2004\n  - not: [yaml\n');
  writeFileSync(join(dir, 'tsconfig.json'), '{\n  // comments are fine here\n  "compilerOptions": { "strict": true, },\n}\n');
  writeFileSync(join(dir, 'build'), 'ARG BASE=alpine:3.20\nFROM ${BASE}\nUSER 1000\n');
  writeFileSync(join(dir, 'chart/templates/deployment.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "x.fullname" . }}\n  labels:\n    {{- include "x.labels" . | nindent 4 }}\n');
  const run = tenet(['analyze', dir, '--format', 'json', '--fail-on', 'none']);
  assert.equal(run.status, 0, run.stdout);
  const { models, findings } = Analysis.parse(JSON.parse(run.stdout));
  assert.deepEqual(models.map((m) => m.workload?.name.split('/').pop()), ['build']);
  assert.deepEqual(findings.map((f) => [f.code, f.location.file.split('/').pop()]), [['TN014', 'deployment.yaml'], ['TN006', 'tsconfig.json']]);
});

test('standard input is read with -', () => {
  const result = spawnSync(process.execPath, [BIN, 'analyze', '-', '--format', 'json'], {
    input: 'apiVersion: v1\nkind: Pod\nmetadata: {name: piped}\nspec: {containers: [{name: c, image: "busybox:1.36", securityContext: {runAsNonRoot: true, readOnlyRootFilesystem: true}}]}\n',
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  const { models } = Analysis.parse(JSON.parse(result.stdout));
  assert.equal(models[0]?.workload?.sources[0]?.file, '<stdin>');
});

test('the table report is made for people: a summary first, 120 columns at most, applications named by their format, long lists cut with a count, findings grouped by code, what the declarations leave out', () => {
  const run = tenet(['analyze', join(FIXTURES, 'kubernetes'), join(FIXTURES, 'compose'), join(FIXTURES, 'marathon'), '--fail-on', 'none']);
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.split('\n');
  assert.match(lines[0]!, /^\d+ models, \d+ applications, \d+ edges; \d+ findings \(\d+ critical, \d+ high, \d+ medium, \d+ low, \d+ info\)$/);
  const widest = lines.reduce((w, l) => Math.max(w, [...l].length), 0);
  assert.ok(widest <= 120, `a line of ${widest} characters`);
  assert.ok(lines.length < 600, `${lines.length} lines`);
  assert.ok(lines.includes('  k8s:default: 37 workloads, 9 edges'), 'a Kubernetes namespace');
  assert.ok(lines.some((l) => /^  compose:\S+: \d+ workloads/.test(l)) && lines.some((l) => /^  marathon:\/\S*: \d+ workloads/.test(l)));
  assert.ok(lines.some((l) => /ROOT: rw = writable root filesystem; ro\+N = read-only root/.test(l)), 'abbreviations explained');
  assert.ok(lines.some((l) => /^  \S+ +\S+ +\S+ +\S+ \+\d+ /.test(l)), 'a long port list cut with a count');
  assert.ok(lines.some((l) => /^  HIGH +TN102 ×\d+  Host network namespace$/.test(l)) && lines.some((l) => /^      … \d+ more$/.test(l)), 'findings by code');
  assert.ok(lines.some((l) => /^      \d+ of \d+ workloads in no declared edge: /.test(l)) && lines.some((l) => /the defender\s*$/.test(l)), 'completeness said');
  const verbose = tenet(['analyze', join(FIXTURES, 'kubernetes'), join(FIXTURES, 'compose'), join(FIXTURES, 'marathon'), '--fail-on', 'none', '--verbose']);
  const findings = Number(/; (\d+) findings/.exec(lines[0]!)![1]);
  assert.equal(verbose.stdout.split('\n').filter((l) => /^  (CRITICAL|HIGH|MEDIUM|LOW|INFO) +TN\d+  /.test(l)).length, findings, '--verbose: each finding');
});
