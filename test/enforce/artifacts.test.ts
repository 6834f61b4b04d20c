import { Ajv } from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { ARTIFACT_KINDS, renderArtifact } from '../../src/enforce/index.ts';
import { SYSTEM_FOLDERS, type FalcoItem, type TracingPolicy } from '../../src/enforce/index.ts';
import { emptyModel, type IntentModel } from '../../src/model/index.ts';
import { FIXTURES } from '../fixtures.ts';
import { analyzeFiles } from '../intent/kubernetes/load.ts';
import { KubeArmorPolicySchema, TracingPolicySchema } from './crd-schemas.ts';

const SNAPSHOTS = new URL('./snapshots/', import.meta.url).pathname;
const UPDATE = process.env.TENET_UPDATE_SNAPSHOTS === '1';
const work = mkdtempSync(join(tmpdir(), 'tenet-artifacts-'));
after(() => rmSync(work, { recursive: true, force: true }));

const learned = [{ kind: 'learned' as const }];

/** A model a defender learned of a plain Docker container running nginx. */
function nginx(): IntentModel {
  const m = emptyModel('sha256:9d5c0a6b1e2f', { image: 'tenet-lab/nginx:bookworm' });
  m.state = 'active';
  m.processes.push({ path: '/usr/sbin/nginx', sources: learned }, { path: '/docker-entrypoint.sh', sources: learned });
  m.network.listen.push({ port: 80, protocol: 'tcp', sources: learned });
  m.network.egress.push({ host: '10.0.0.7', port: 6379, protocol: 'tcp', sources: learned }, { host: '192.168.0.0/16', port: 53, protocol: 'udp', sources: learned });
  m.filesystem.writable.push(
    { path: '/var/log/nginx/*', sources: learned }, { path: '/var/cache/nginx/*', sources: learned }, { path: '/run/nginx.pid', sources: learned },
  );
  m.capabilities.used = ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE', 'CAP_SETGID', 'CAP_SETUID'].map((name) => ({ name, sources: learned }));
  m.syscalls.allow.push('accept4', 'epoll_wait', 'read', 'write');
  m.security.user = { value: 'root', sources: learned };
  return m;
}

/** A Kubernetes Deployment's container, declared and learned. */
function api(): IntentModel {
  const declared = [{ kind: 'declared' as const, format: 'kubernetes' as const, file: 'k8s/api.yaml', line: 20 }];
  const m = emptyModel('k8s:shop/Deployment/api/server', {
    workload: { kind: 'Deployment', namespace: 'shop', name: 'api', container: 'server', labels: { app: 'api', tier: 'backend' }, sources: declared },
    app: 'shop',
  });
  m.processes.push({ path: '/usr/local/bin/node', sources: declared }, { path: 'convert', sources: declared });
  m.network.listen.push({ port: 3000, protocol: 'tcp', sources: declared });
  m.network.egress.push({ host: 'api.stripe.com', port: 443, protocol: 'tcp', sources: declared }, { host: 'redis', port: 6379, protocol: 'tcp', sources: declared });
  m.network.dns.push({ name: 'api.stripe.com', sources: declared });
  m.filesystem.writable.push({ path: '/tmp/*', sources: declared });
  m.filesystem.mounts.push({ path: '/data', type: 'persistentVolumeClaim', source: 'data', readOnly: false, sources: declared });
  m.capabilities.add.push('NET_BIND_SERVICE');
  m.security.user = { value: '1000', sources: declared };
  return m;
}

const MODELS = () => [nginx(), api()];

/** What `generate KIND` prints for the two models (one of them for the kinds made from one container; Online Boutique's graph for network policies). */
function render(kind: string, models = MODELS()) {
  if (kind.endsWith('networkpolicy')) {
    const boutique = analyzeFiles(join(FIXTURES, 'kubernetes/microservices-demo/release-kubernetes-manifests.yaml'));
    return renderArtifact(kind, { models: boutique.models, supermodels: boutique.supermodels, namespace: undefined });
  }
  const chosen = ['seccomp', 'nftables'].includes(kind) ? models.slice(0, 1) : kind === 'seccompprofile' ? models.filter((m) => m.syscalls.allow.length > 0) : models;
  return renderArtifact(kind, { models: chosen, supermodels: [], namespace: kind === 'seccompprofile' ? 'shop' : undefined });
}

for (const kind of ARTIFACT_KINDS) {
  test(`generate ${kind}: the artifact and its notes are as recorded`, () => {
    const { text, notes } = render(kind);
    const actual = `${text}${notes.map((n) => `# note ${n}\n`).join('')}`;
    const file = join(SNAPSHOTS, `${kind}.txt`);
    if (UPDATE) {
      mkdirSync(SNAPSHOTS, { recursive: true });
      writeFileSync(file, actual);
    }
    assert.ok(existsSync(file), `no snapshot ${file}: run with TENET_UPDATE_SNAPSHOTS=1 and read what it wrote`);
    assert.equal(actual, readFileSync(file, 'utf8'));
  });
}

test('Tetragon policies validate against the CRD; they kill other programs, fail writes to system folders and connections elsewhere', () => {
  const docs = parseAllDocuments(render('tracingpolicy').text).map((d) => d.toJS() as TracingPolicy);
  for (const doc of docs) TracingPolicySchema.parse(doc);
  const [plain, pod] = docs as [TracingPolicy, TracingPolicy];
  assert.equal(plain.kind, 'TracingPolicy');
  assert.deepEqual(plain.spec.containerSelector, { matchExpressions: [{ key: 'repo', operator: 'In', values: ['tenet-lab/nginx'] }] });
  const exec = plain.spec.kprobes.find((k) => k.call === 'security_bprm_check')!;
  assert.deepEqual(exec.selectors[0]!.matchArgs[0], { index: 0, operator: 'NotEqual', values: ['/docker-entrypoint.sh', '/usr/sbin/nginx'] });
  const write = plain.spec.kprobes.find((k) => k.call === 'security_file_permission')!;
  // /run is not a system folder; /var holds the writable paths, so it cannot be protected whole
  assert.deepEqual(write.selectors[0]!.matchArgs[0]!.values, SYSTEM_FOLDERS.filter((f) => f !== '/var').map((f) => `${f}/`));
  assert.deepEqual(plain.spec.kprobes.find((k) => k.call === 'tcp_connect')!.selectors[0]!.matchArgs[0]!.values, ['127.0.0.1', '::1', '10.0.0.7', '192.168.0.0/16']);
  assert.equal(pod.kind, 'TracingPolicyNamespaced');
  assert.deepEqual(pod.spec.podSelector, { matchLabels: { app: 'api', tier: 'backend' } });
  // a program named without a path widens to a match on the end of the path
  assert.deepEqual(pod.spec.kprobes[0]!.selectors[0]!.matchArgs[0], { index: 0, operator: 'NotPostfix', values: ['/usr/local/bin/node', '/convert'] });
  assert.ok(!pod.spec.kprobes.some((k) => k.call === 'tcp_connect'), 'peers by name: left to network policies');
  assert.throws(() => TracingPolicySchema.parse({ ...plain, spec: { ...plain.spec, kprobes: [{ ...exec, selectors: [{ matchArgs: [{ index: 0, operator: 'Nope', values: [] }] }] }] } }));
});

test('KubeArmor policies validate against the CRD: programs, read anywhere, write where the model writes, its protocols', () => {
  const docs = parseAllDocuments(render('kubearmor').text).map((d) => d.toJS() as { spec: Record<string, unknown> });
  for (const doc of docs) KubeArmorPolicySchema.parse(doc);
  assert.deepEqual(docs[0]!.spec.selector, { matchLabels: { 'kubearmor.io/container.name': 'nginx' } });
  assert.deepEqual(docs[0]!.spec.file, {
    matchDirectories: [{ dir: '/', recursive: true, readOnly: true }, { dir: '/dev/', recursive: true }, { dir: '/var/cache/nginx/', recursive: true }, { dir: '/var/log/nginx/', recursive: true }],
    matchPaths: [{ path: '/run/nginx.pid' }],
  });
  assert.deepEqual((docs[1]!.spec.file as { matchDirectories: unknown[] }).matchDirectories.slice(2), [{ dir: '/data/', recursive: true }, { dir: '/tmp/', recursive: true }]);
  assert.throws(() => KubeArmorPolicySchema.parse({ ...docs[0], spec: { ...docs[0]!.spec, file: { matchDirectories: [{ dir: '/var/log' }] } } }), 'a folder ends with a slash');
});

test('Falco rules are self-contained: every macro and list a condition names is defined, and parentheses balance', () => {
  const items = parse(render('falco').text) as FalcoItem[];
  const defined = new Set(items.flatMap((i) => ('macro' in i ? [i.macro] : 'list' in i ? [i.list] : [])));
  const rules = items.filter((i): i is Extract<FalcoItem, { rule: string }> => 'rule' in i);
  assert.equal(rules.length, 8, 'two models: program, connection, listening port, write each');
  for (const i of items) {
    const condition = 'condition' in i ? i.condition : '';
    for (const used of condition.match(/\btenet_[a-z0-9_]+/g) ?? []) assert.ok(defined.has(used), `${used} is defined`);
    let depth = 0;
    for (const c of condition) {
      depth += c === '(' ? 1 : c === ')' ? -1 : 0;
      assert.ok(depth >= 0, condition);
    }
    assert.equal(depth, 0, condition);
  }
  const program = rules.find((r) => r.rule === 'Tenet nginx unexpected program')!;
  assert.match(program.condition, /^tenet_nginx_container and evt\.type in \(execve, execveat\) and evt\.dir = < and not \(proc\.exepath in \(tenet_nginx_programs\)\)$/);
  assert.match(rules.find((r) => r.rule === 'Tenet api-server unexpected write')!.condition, /fd\.name startswith "\/data\/" or fd\.name startswith "\/tmp\/"/);
});

test('the AppArmor profiles compile with apparmor_parser', (t) => {
  const parser = spawnSync('apparmor_parser', ['--version'], { encoding: 'utf8' });
  if (parser.error !== undefined) {
    if (process.getuid?.() === 0) assert.fail('apparmor_parser is missing on a lab machine: run `npm run lab:up` (it installs Debian\'s apparmor)');
    t.skip('apparmor_parser is not installed and this is not a lab machine (not root)');
    return;
  }
  const { text } = render('apparmor');
  const file = join(work, 'profiles');
  writeFileSync(file, text);
  // -Q: compile without loading into the kernel, -K: no cache
  execFileSync('apparmor_parser', ['-Q', '-K', file], { encoding: 'utf8' });
  writeFileSync(file, text.replace('/** r,', '/** r'));
  assert.notEqual(spawnSync('apparmor_parser', ['-Q', '-K', file]).status, 0, 'a broken profile is refused');
  assert.match(text, /profile tenet-nginx flags=\(attach_disconnected,mediate_deleted\) \{/);
  assert.match(text, / {2}\/usr\/sbin\/nginx mrix,\n/);
  assert.match(text, / {2}capability net_bind_service,\n/);
});

test('the securityContext patch, applied to the real Online Boutique Deployment, validates against the Kubernetes schema', () => {
  const release = join(FIXTURES, 'kubernetes/microservices-demo/release-kubernetes-manifests.yaml');
  const analysis = analyzeFiles(release);
  const frontend = analysis.models.find((m) => m.id === 'k8s:default/Deployment/frontend/server')!;
  frontend.filesystem.writable.push({ path: '/var/cache/app/*', sources: learned }, { path: '/run/app.pid', sources: learned });
  const { text } = renderArtifact('securitycontext', { models: [frontend], supermodels: [], namespace: undefined });
  const patch = parse(text.replace(/^---\n/, '')) as { spec: { template: { spec: { containers: Array<Record<string, unknown>>; volumes?: unknown[] } } } };
  const deployment = parseAllDocuments(readFileSync(release, 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: { template: { spec: { containers: Array<Record<string, unknown>>; volumes?: unknown[] } } } })
    .find((d) => d.kind === 'Deployment' && d.metadata.name === 'frontend')!;
  // a strategic merge: containers by name, volumes appended
  const podSpec = deployment.spec.template.spec;
  const patchSpec = patch.spec.template.spec;
  for (const c of patchSpec.containers) Object.assign(podSpec.containers.find((x) => x.name === c.name)!, c);
  podSpec.volumes = [...podSpec.volumes ?? [], ...patchSpec.volumes ?? []];
  new Deployment(deployment as never).validate();
  assert.deepEqual(podSpec.containers[0]!.volumeMounts, [{ name: 'tenet-run', mountPath: '/run' }, { name: 'tenet-var-cache-app', mountPath: '/var/cache/app' }]);
  assert.equal((podSpec.containers[0]!.securityContext as { readOnlyRootFilesystem: boolean }).readOnlyRootFilesystem, true);
});

test('the compose patch validates against the compose specification', () => {
  // the file names its draft by an address Ajv does not know: it is draft-07, Ajv's own
  const { $schema: _, ...schema } = JSON.parse(readFileSync(join(FIXTURES, 'compose/schema/compose-spec.json'), 'utf8')) as { $schema: string };
  const validate = new Ajv({ strict: false, validateFormats: false }).compile(schema);
  const doc = parse(render('composepatch').text) as { services: Record<string, { tmpfs?: string[]; cap_add?: string[]; read_only: boolean }> };
  assert.ok(validate(doc), JSON.stringify(validate.errors));
  assert.deepEqual(doc.services.nginx, {
    read_only: true, tmpfs: ['/run', '/var/cache/nginx', '/var/log/nginx'], cap_drop: ['ALL'], cap_add: ['CHOWN', 'NET_BIND_SERVICE', 'SETGID', 'SETUID'],
    security_opt: ['no-new-privileges:true'], privileged: false,
  });
});
