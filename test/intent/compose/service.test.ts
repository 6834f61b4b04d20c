import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isComposeFile } from '../../../src/intent/compose/index.ts';
import { analyzeFiles, analyzeYaml, at, lineOf, modelNamed } from './helpers.ts';

const FILE = 'app/compose.yaml';

test('isComposeFile: a map with a services map, not a Kubernetes object', () => {
  assert.equal(isComposeFile({ services: { web: { image: 'nginx' } } }), true);
  assert.equal(isComposeFile({ services: {} }), true);
  assert.equal(isComposeFile({ services: [] }), false);
  assert.equal(isComposeFile({ services: null }), false);
  assert.equal(isComposeFile({ apiVersion: 'v1', kind: 'List', services: {} }), false);
  assert.equal(isComposeFile(['services']), false);
  assert.equal(isComposeFile('services'), false);
});

test('security settings and their sources', () => {
  const text = `services:
  agent:
    image: agent:1.0
    privileged: true
    read_only: true
    pid: host
    ipc: host
    network_mode: host
    user: "1000:1000"
    security_opt:
      - seccomp:unconfined
      - no-new-privileges:true
      - apparmor=unconfined
    cap_add: [net_admin, CAP_SYS_PTRACE]
    cap_drop: [ALL]
    tmpfs: /run:size=64k
    stop_signal: SIGTERM
  profiled:
    image: p:1.0
    security_opt: ["seccomp=./profiles/strict.json", "no-new-privileges=false"]
    privileged: false
    ipc: shareable
    use_api_socket: true
    ports:
      - target: 80
        published: "8080"
        protocol: tcp
        host_ip: 127.0.0.1
        name: web
      - target: 53
        published: 5300-5310
        protocol: udp
`;
  const result = analyzeYaml(text);
  const agent = modelNamed(result, 'agent');
  const src = (key: string) => [at(FILE, lineOf(text, `    ${key}`), `services.agent.${key.replace(/:.*/, '')}`)];
  assert.deepEqual(agent.security, {
    privileged: { value: true, sources: src('privileged:') },
    hostPID: { value: true, sources: src('pid:') },
    hostIPC: { value: true, sources: src('ipc:') },
    hostNetwork: { value: true, sources: src('network_mode:') },
    user: { value: '1000:1000', sources: src('user:') },
    seccompProfile: { value: 'Unconfined', sources: [at(FILE, lineOf(text, 'seccomp:unconfined'), 'services.agent.security_opt[0]')] },
    allowPrivilegeEscalation: { value: false, sources: [at(FILE, lineOf(text, 'no-new-privileges:true'), 'services.agent.security_opt[1]')] },
    stopSignal: { value: 'SIGTERM', sources: src('stop_signal:') },
  });
  assert.equal(agent.filesystem.readOnlyRoot, true);
  assert.deepEqual(agent.capabilities, { add: ['NET_ADMIN', 'SYS_PTRACE'], drop: ['ALL'], sources: [...src('cap_add:'), ...src('cap_drop:')] });
  assert.deepEqual(agent.filesystem.mounts, [{ path: '/run', type: 'tmpfs', readOnly: false, sources: src('tmpfs:') }]);
  assert.deepEqual(agent.filesystem.writable, [{ path: '/run', sources: src('tmpfs:') }]);

  const profiled = modelNamed(result, 'profiled');
  assert.deepEqual(profiled.security.seccompProfile?.value, './profiles/strict.json');
  assert.deepEqual(profiled.security.allowPrivilegeEscalation?.value, true);
  assert.deepEqual(profiled.security.privileged?.value, false);
  assert.equal(profiled.security.hostIPC, undefined);
  assert.deepEqual(profiled.network.listen, [
    { port: 80, protocol: 'tcp', hostPort: 8080, name: 'web', sources: [at(FILE, lineOf(text, '- target: 80'), 'services.profiled.ports[0]')] },
    { port: 53, protocol: 'udp', sources: [at(FILE, lineOf(text, '- target: 53'), 'services.profiled.ports[1]')] },
  ]);
  assert.deepEqual(profiled.filesystem.mounts.map((m) => [m.type, m.source, m.path]), [['bind', '/var/run/docker.sock', '/var/run/docker.sock']]);
  assert.deepEqual(result.findings, [], 'pinned images, no literal secrets');
});

test('bad values are findings with their line; the rest of the file is still modelled', () => {
  const text = `services:
  web:
    image: nginx:1.27
    ports:
      - "abc"
      - "70000:80"
      - "80-70:80"
      - "8080:80"
      - [1, 2]
      - { published: 80 }
    expose: ["80:80", 9000]
    volumes: ["relative:path", "/ok:/ok", 42]
    cap_add: NET_ADMIN
    healthcheck:
      test: ["WRONG", "x"]
    command: { not: a command }
    environment: [ { A: 1 }, "B=2" ]
    privileged: maybe
    depends_on: db
  listed:
    - image: nope
  empty:
  scalar: 5
`;
  const result = analyzeYaml(text);
  const byLine = [...result.findings].sort((a, b) => a.location.line - b.location.line || (a.location.path ?? '').localeCompare(b.location.path ?? ''));
  assert.deepEqual(byLine.map((f) => [f.code, f.severity, f.location.line, f.location.path]), [
    ['TN007', 'high', 5, 'services.web.ports[0]'],
    ['TN007', 'high', 6, 'services.web.ports[1]'],
    ['TN007', 'high', 7, 'services.web.ports[2]'],
    ['TN007', 'high', 9, 'services.web.ports[4]'],
    ['TN007', 'high', 10, 'services.web.ports[5]'],
    ['TN007', 'high', 11, 'services.web.expose[0]'],
    ['TN007', 'high', 12, 'services.web.volumes[0]'],
    ['TN007', 'high', 12, 'services.web.volumes[2]'],
    ['TN007', 'high', 13, 'services.web.cap_add'],
    ['TN007', 'high', 15, 'services.web.healthcheck.test'],
    ['TN007', 'high', 16, 'services.web.command'],
    ['TN007', 'high', 17, 'services.web.environment[0]'],
    ['TN007', 'high', 18, 'services.web.privileged'],
    ['TN007', 'high', 19, 'services.web.depends_on'],
    ['TN007', 'high', 20, 'services.listed'],
    ['TN007', 'high', 22, 'services.empty'],
    ['TN007', 'high', 23, 'services.scalar'],
  ]);
  assert.match(byLine[1]?.message ?? '', /Service web: port "70000:80" is not valid: 70000 is out of range/);
  assert.match(byLine[14]?.message ?? '', /Service listed is a list, not a map of settings/);
  const web = modelNamed(result, 'web');
  assert.deepEqual(web.network.listen.map((l) => `${l.hostPort}:${l.port}`), ['8080:80', 'undefined:9000']);
  assert.deepEqual(web.filesystem.mounts.map((m) => m.path), ['/ok']);
  assert.deepEqual(result.models.map((m) => m.workload?.name), ['web']);
  assert.deepEqual(result.supermodels[0]?.nodes.map((n) => n.id), ['app/web']);
});

test('TN113: floating image tags, not for built or pinned images', () => {
  const digest = `sha256:${'0'.repeat(64)}`;
  const text = `services:
  a: { image: nginx }
  b: { image: "nginx:latest" }
  c: { image: "registry.local:5000/team/app" }
  d: { image: "nginx:1.27" }
  e: { image: "nginx@${digest}" }
  f: { image: app, build: . }
  g: { build: . }
`;
  const result = analyzeYaml(text);
  assert.deepEqual(result.findings.filter((f) => f.code === 'TN113').map((f) => [f.location.line, f.model]), [
    [2, 'compose:app/a'], [3, 'compose:app/b'], [4, 'compose:app/c'],
  ]);
  assert.equal(modelNamed(result, 'e').id, digest);
  assert.deepEqual(result.supermodels[0]?.nodes.find((n) => n.id === 'app/e')?.models, [digest]);
});

test('extends, in the same file and in another one', () => {
  const files = {
    'app/compose.yaml': `services:
  base:
    image: base:1
    environment:
      LEVEL: base
    cap_drop: [ALL]
  child:
    extends: base
    environment:
      LEVEL: child
      DB_HOST: db
    cap_add: [NET_BIND_SERVICE]
  remote:
    extends:
      file: common/services.yaml
      service: web
    ports: ["8080:80"]
  lost:
    extends: { file: nowhere.yaml, service: web }
  unknown:
    extends: ghost
  loop-a:
    image: a:1
    extends: loop-b
  loop-b:
    image: b:1
    extends: loop-a
  db:
    image: mariadb:11
`,
    'app/common/services.yaml': `services:
  web:
    image: nginx:1.27
    read_only: true
    expose: ["80"]
    env_file: web.env
`,
    'app/common/web.env': 'UPSTREAM=http://db:3306\n',
  };
  const result = analyzeFiles(files, ['app/compose.yaml']);
  const child = modelNamed(result, 'child');
  assert.equal(child.image, 'base:1');
  assert.deepEqual(child.capabilities.add, ['NET_BIND_SERVICE']);
  assert.deepEqual(child.capabilities.drop, ['ALL']);
  assert.deepEqual(child.capabilities.sources.map((s) => s.line), [12, 6]);
  assert.deepEqual(child.workload?.sources, [at('app/compose.yaml', 7, 'services.child')]);
  const remote = modelNamed(result, 'remote');
  assert.equal(remote.image, 'nginx:1.27');
  assert.equal(remote.filesystem.readOnlyRoot, true);
  assert.deepEqual(remote.network.listen.map((l) => [l.port, l.hostPort, l.sources.map((s) => s.file)]), [[80, 8080, ['app/compose.yaml', 'app/common/services.yaml']]]);
  // The base's env file is found beside the base's file.
  assert.deepEqual(remote.network.egress.map((e) => [e.host, e.port, e.sources[0]?.file]), [['db', 3306, 'app/common/web.env']]);
  assert.deepEqual(result.supermodels[0]?.edges.map((e) => `${e.from} -> ${e.to} ${e.port}`), ['app/child -> app/db 3306', 'app/remote -> app/db 3306']);
  assert.deepEqual(result.findings.map((f) => [f.code, f.location.line]).sort((a, b) => Number(a[1]) - Number(b[1])), [
    ['TN013', 19],
    ['TN013', 21],
    ['TN007', 24],
    ['TN007', 27],
  ]);
});

test('compose.override.yaml is merged into compose.yaml beside it', () => {
  const files = {
    'app/compose.yaml': `services:
  web:
    image: web:1
    ports: ["80:80"]
    environment: [MODE=prod]
    command: ["serve"]
`,
    'app/compose.override.yaml': `services:
  web:
    ports: ["9229:9229"]
    environment:
      MODE: dev
      API_URL: http://api:3000
    command: ["serve", "--debug"]
  api:
    image: api:1
`,
  };
  const result = analyzeFiles(files, ['app/compose.yaml', 'app/compose.override.yaml']);
  assert.deepEqual(result.models.map((m) => m.id), ['compose:app/web', 'compose:app/api']);
  const web = modelNamed(result, 'web');
  assert.deepEqual(web.network.listen.map((l) => l.port), [80, 9229]);
  assert.deepEqual(web.processes.map((p) => [p.argv, p.sources[0]?.file]), [[['serve', '--debug'], 'app/compose.override.yaml']]);
  assert.deepEqual(web.workload?.sources.map((s) => s.file), ['app/compose.yaml', 'app/compose.override.yaml']);
  assert.deepEqual(result.supermodels.map((s) => [s.app, s.edges.map((e) => `${e.from} -> ${e.to} ${e.port}`)]), [['app', ['app/web -> app/api 3000']]]);
});

test('project names: name:, the folder as Compose normalises it, COMPOSE_PROJECT_NAME', () => {
  const service = 'services:\n  s:\n    image: s:1\n';
  const app = (files: Record<string, string>, paths: string[], context = {}) => analyzeFiles(files, paths, context).supermodels.map((s) => s.app);
  assert.deepEqual(app({ 'My.Project-2/compose.yaml': service }, ['My.Project-2/compose.yaml']), ['myproject-2']);
  assert.deepEqual(app({ 'x/compose.yaml': `name: "\${STAGE:-Dev}_Shop"\n${service}` }, ['x/compose.yaml']), ['dev_shop']);
  assert.deepEqual(app({ 'compose.yaml': service }, ['compose.yaml']), ['default']);
  assert.deepEqual(app({ 'compose.yaml': service }, ['compose.yaml'], { workingDirectory: '/home/me/Web_App' }), ['web_app']);
  assert.deepEqual(app({ 'x/compose.yaml': service, 'x/.env': 'COMPOSE_PROJECT_NAME=from-dotenv\n' }, ['x/compose.yaml']), ['from-dotenv']);
  assert.deepEqual(app({ 'x/compose.yaml': service }, ['x/compose.yaml'], { environment: { COMPOSE_PROJECT_NAME: 'Shell' } }), ['shell']);
});

test('documents that are not compose files and cyclic YAML aliases are passed over', () => {
  const result = analyzeFiles({ 'a.yaml': 'services: &s\n  web: *s\n', 'b.yaml': 'apiVersion: v1\nkind: Pod\nservices: {}\n' }, ['a.yaml', 'b.yaml']);
  assert.deepEqual(result.findings.map((f) => [f.code, f.location.file, f.message]), [['TN024', 'a.yaml', 'YAML document 1: an alias refers to the value it is in; not analysed']]);
  assert.deepEqual(result.models, []);
});

test('with the image\'s ENTRYPOINT unknown, a command whose first word names no program is the entrypoint\'s arguments: they still name peers', () => {
  const result = analyzeYaml([
    'services:',
    '  store:',
    '    image: minio/minio:RELEASE.2024',
    '    command: ["server start", "--address", "db:9000"]',
    '  cfg:',
    '    image: example/tool:1',
    '    command: ["mode=serve", "--upstream=http://api:8080"]',
    '  opts:',
    '    image: example/tool:1',
    '    command: --config /etc/x.yml',
    '  prog:',
    '    image: example/tool:1',
    '    command: ["/usr/bin/tool", "run"]',
    '  api:',
    '    image: example/api:1',
    '  db:',
    '    image: example/db:1',
    '',
  ].join('\n'));
  for (const name of ['store', 'cfg', 'opts']) assert.deepEqual(modelNamed(result, name).processes, [], name);
  assert.deepEqual(modelNamed(result, 'prog').processes.map((p) => p.path), ['/usr/bin/tool']);
  assert.ok(modelNamed(result, 'cfg').network.egress.some((e) => e.host === 'api' && e.port === 8080), 'arguments still name peers');
});
