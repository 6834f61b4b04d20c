import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { Finding, IntentModel, Supermodel } from '../../../src/model/index.ts';
import { FIXTURES } from '../../fixtures.ts';
import { analyzeFixtures, at, edgeLines, modelNamed } from './helpers.ts';

function composeFixtures(dir = join(FIXTURES, 'compose')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'schema' ? [] : composeFixtures(path);
    return /\.ya?ml$/.test(name) ? [relative(FIXTURES, path)] : [];
  });
}

const AWESOME = 'compose/awesome-compose';

test('every compose fixture is analysed into valid models and supermodels', () => {
  const files = composeFixtures();
  assert.ok(files.length >= 23, `found ${files.length}`);
  for (const file of files) {
    const result = analyzeFixtures(file);
    assert.ok(result.models.length > 0, file);
    assert.equal(result.supermodels.length, 1, file);
    for (const model of result.models) assert.ok(IntentModel.safeParse(model).success, `${file}: ${model.id}`);
    for (const supermodel of result.supermodels) assert.ok(Supermodel.safeParse(supermodel).success, file);
    for (const f of result.findings) assert.ok(Finding.safeParse(f).success, `${file}: ${f.message}`);
    assert.deepEqual(result.findings.filter((f) => f.code === 'TN007'), [], file);
    // Every model entry can say why it is allowed.
    for (const model of result.models) {
      for (const entry of [...model.processes, ...model.network.listen, ...model.network.egress, ...model.filesystem.mounts]) {
        assert.ok(entry.sources.length > 0, `${file}: ${model.id} has an entry without sources`);
      }
    }
  }
  // All of them at once: the four files of other/ share the project "other".
  const all = analyzeFixtures(...files);
  assert.equal(new Set(all.models.map((m) => m.id)).size, all.models.length);
  assert.deepEqual(all.supermodels.find((s) => s.app === 'other')?.nodes.find((n) => n.id === 'other/redis')?.models, ['compose:other/redis', 'compose:other/redis#2']);
});

test('nginx-flask-mysql: the backend reaches the database by depends_on, the proxy the backend', () => {
  const file = `${AWESOME}/nginx-flask-mysql/compose.yaml`;
  const result = analyzeFixtures(file);
  const node = (service: string) => ({ id: `nginx-flask-mysql/${service}`, kind: 'ComposeService', models: [`compose:nginx-flask-mysql/${service}`] });
  assert.deepEqual(result.supermodels, [{
    apiVersion: 'tenet/v1',
    kind: 'Supermodel',
    app: 'nginx-flask-mysql',
    nodes: [node('backend'), node('db'), node('proxy')],
    edges: [
      { from: 'nginx-flask-mysql/backend', to: 'nginx-flask-mysql/db', port: 3306, targetPort: 3306, protocol: 'tcp', sources: [at(file, 40, 'services.backend.depends_on.db')] },
      { from: 'nginx-flask-mysql/backend', to: 'nginx-flask-mysql/db', port: 33060, targetPort: 33060, protocol: 'tcp', sources: [at(file, 40, 'services.backend.depends_on.db')] },
      { from: 'nginx-flask-mysql/proxy', to: 'nginx-flask-mysql/backend', port: 8000, targetPort: 8000, protocol: 'tcp', sources: [at(file, 49, 'services.proxy.depends_on[0]')] },
    ],
  }]);
  const backend = modelNamed(result, 'backend');
  assert.deepEqual(backend.network.egress.map((e) => `${e.host}:${e.port}`), ['db:3306', 'db:33060']);
  assert.deepEqual(backend.network.dns.map((d) => d.name), ['db']);
  // The builds' Dockerfiles are not among the fixtures.
  assert.deepEqual(result.findings.filter((f) => f.code === 'TN013').map((f) => f.location.line), [28, 44]);
});

test('react-express-mysql: DATABASE_HOST names the database, whose mariadb image is known to listen on 3306', () => {
  const file = `${AWESOME}/react-express-mysql/compose.yaml`;
  const result = analyzeFixtures(file);
  assert.deepEqual(edgeLines(result), [
    'react-express-mysql/backend -> react-express-mysql/db 3306/tcp',
    'react-express-mysql/frontend -> react-express-mysql/backend 80/tcp',
    'react-express-mysql/frontend -> react-express-mysql/backend 9229/tcp',
    'react-express-mysql/frontend -> react-express-mysql/backend 9230/tcp',
  ]);
  const edge = result.supermodels[0]?.edges[0];
  assert.deepEqual(edge?.sources, [at(file, 13, 'services.backend.environment[3]')], 'the env reference, not depends_on');
  assert.deepEqual(modelNamed(result, 'db').network.listen, [
    {
      port: 3306,
      protocol: 'tcp',
      name: 'mysql',
      sources: [{ kind: 'knowledge', detail: 'the MariaDB image listens on 3306/tcp', reference: 'https://mariadb.com/kb/en/configuring-mariadb-for-remote-client-access/ (port 3306)' }],
    },
  ]);
  const backend = modelNamed(result, 'backend');
  assert.deepEqual(backend.processes.map((p) => p.argv), [['npm', 'run', 'start-watch']]);
  assert.deepEqual(backend.filesystem.mounts.map((m) => [m.type, m.source, m.path, m.readOnly]), [
    ['bind', './backend/src', '/code/src', true],
    ['bind', './backend/package.json', '/code/package.json', false],
    ['bind', './backend/package-lock.json', '/code/package-lock.json', false],
    ['volume', 'back-notused', '/opt/app/node_modules', false],
    ['secret', 'db-password', '/run/secrets/db-password', true],
  ]);
  // A path to a mounted secret file is not a secret.
  assert.ok(!result.findings.some((f) => f.code === 'TN112'));
});

test('wordpress-mysql, gitea-postgres and nextcloud: host references become edges to the declared ports', () => {
  assert.deepEqual(edgeLines(analyzeFixtures(`${AWESOME}/wordpress-mysql/compose.yaml`)), [
    'wordpress-mysql/wordpress -> wordpress-mysql/db 3306/tcp',
    'wordpress-mysql/wordpress -> wordpress-mysql/db 33060/tcp',
  ]);
  assert.deepEqual(edgeLines(analyzeFixtures(`${AWESOME}/gitea-postgres/compose.yaml`)), ['gitea-postgres/gitea -> gitea-postgres/db 5432/tcp']);
  assert.deepEqual(edgeLines(analyzeFixtures(`${AWESOME}/nextcloud-redis-mariadb/compose.yaml`)), [
    'nextcloud-redis-mariadb/nc -> nextcloud-redis-mariadb/db 3306/tcp',
    'nextcloud-redis-mariadb/nc -> nextcloud-redis-mariadb/redis 6379/tcp',
  ]);
  const wordpress = analyzeFixtures(`${AWESOME}/wordpress-mysql/compose.yaml`);
  assert.deepEqual(wordpress.findings.map((f) => `${f.code} ${f.location.line} ${f.location.path}`), [
    'TN112 12 services.db.environment[0]',
    'TN112 15 services.db.environment[3]',
    'TN113 20 services.wordpress.image',
    'TN112 27 services.wordpress.environment[2]',
  ]);
});

test('react-rust-postgres: frontend and database share no network, so only the backend reaches the database', () => {
  const result = analyzeFixtures(`${AWESOME}/react-rust-postgres/compose.yaml`);
  assert.equal(result.supermodels[0]?.app, 'react-rust-postgres');
  assert.deepEqual(edgeLines(result), ['react-rust-postgres/backend -> react-rust-postgres/db 5432/tcp']);
});

test('the database of nginx-golang-postgres, whole', () => {
  const file = `${AWESOME}/nginx-golang-postgres/compose.yaml`;
  const db = modelNamed(analyzeFixtures(file), 'db');
  assert.deepEqual(db, {
    apiVersion: 'tenet/v1',
    kind: 'IntentModel',
    id: 'compose:nginx-golang-postgres/db',
    image: 'postgres',
    workload: { kind: 'ComposeService', namespace: 'nginx-golang-postgres', name: 'db', sources: [at(file, 12, 'services.db')] },
    app: 'nginx-golang-postgres',
    state: 'static',
    processes: [{ path: 'pg_isready', argv: ['pg_isready'], role: 'healthcheck', user: 'postgres', sources: [at(file, 26, 'services.db.healthcheck.test')] }],
    network: { listen: [{ port: 5432, protocol: 'tcp', sources: [at(file, 24, 'services.db.expose[0]')] }], egress: [], dns: [] },
    filesystem: {
      readOnlyRoot: false,
      writable: [{ path: '/var/lib/postgresql/data', sources: [at(file, 19, 'services.db.volumes[0]')] }],
      mounts: [
        { path: '/var/lib/postgresql/data', type: 'volume', source: 'db-data', readOnly: false, sources: [at(file, 19, 'services.db.volumes[0]')] },
        { path: '/run/secrets/db-password', type: 'secret', source: 'db-password', readOnly: true, sources: [at(file, 17, 'services.db.secrets[0]')] },
      ],
    },
    syscalls: { allow: [], sources: [] },
    capabilities: { add: [], drop: [], sources: [] },
    security: { user: { value: 'postgres', sources: [at(file, 15, 'services.db.user')] } },
  });
});

test('coturn: port ranges, a depends_on on an undefined service, missing env files', () => {
  const file = 'compose/other/coturn-docker-compose.yml';
  const result = analyzeFixtures(file);
  const coturn = modelNamed(result, 'coturn');
  assert.deepEqual(coturn.network.listen.map((l) => `${l.port}${l.endPort !== undefined ? `-${l.endPort}` : ''}/${l.protocol}`), [
    '3478/tcp', '3478/udp', '3479/tcp', '3479/udp', '80/tcp', '80/udp', '5349/tcp', '5349/udp', '5350/tcp', '5350/udp',
    '443/tcp', '443/udp', '49152-65535/tcp', '49152-65535/udp',
  ]);
  assert.deepEqual(coturn.network.listen.find((l) => l.endPort === 65535 && l.protocol === 'udp'), {
    port: 49152, endPort: 65535, protocol: 'udp', sources: [at(file, 58, 'services.coturn.ports[13]')],
  });
  assert.ok(coturn.network.listen.every((l) => l.hostPort === undefined), 'published on random host ports');
  const unresolved = result.findings.filter((f) => f.code === 'TN011');
  assert.deepEqual(unresolved.map((f) => [f.location.line, f.location.path, f.model]), [[63, 'services.coturn.depends_on[0]', 'compose:other/coturn']]);
  assert.match(unresolved[0]?.message ?? '', /depends on mysql/);
  assert.ok(!edgeLines(result).some((e) => e.includes('mysql')));
  assert.deepEqual(edgeLines(result), [
    'other/coturn -> other/mongodb 27017/tcp',
    'other/coturn -> other/postgresql 5432/tcp',
    'other/coturn -> other/redis 6379/tcp',
  ]);
  assert.deepEqual(result.findings.filter((f) => f.code === 'TN013').map((f) => f.location.line), [8, 16, 24, 32, 68, 70, 71, 72, 73]);
});

test('compose-go full example: security settings, ports, mounts and commands of foo', () => {
  const file = 'compose/other/compose-go-full-example.yml';
  const result = analyzeFixtures(file);
  assert.deepEqual(result.supermodels.map((s) => s.app), ['full_example_project_name']);
  const foo = modelNamed(result, 'foo');
  assert.equal(foo.id, 'compose:full_example_project_name/foo');
  assert.deepEqual(foo.workload, { kind: 'ComposeService', namespace: 'full_example_project_name', name: 'foo', container: 'my-web-container', sources: [at(file, 10, 'services.foo')] });
  assert.deepEqual(foo.capabilities, {
    add: ['ALL'], drop: ['NET_ADMIN', 'SYS_ADMIN'], sources: [at(file, 45, 'services.foo.cap_add'), at(file, 48, 'services.foo.cap_drop')],
  });
  assert.deepEqual(foo.security, {
    user: { value: 'someone', sources: [at(file, 305, 'services.foo.user')] },
    privileged: { value: true, sources: [at(file, 260, 'services.foo.privileged')] },
    hostPID: { value: true, sources: [at(file, 249, 'services.foo.pid')] },
    hostIPC: { value: true, sources: [at(file, 198, 'services.foo.ipc')] },
    stopSignal: { value: 'SIGUSR1', sources: [at(file, 283, 'services.foo.stop_signal')] },
  }, 'network_mode container:… is not the host network, and SELinux labels set nothing Tenet models');
  assert.equal(foo.filesystem.readOnlyRoot, true);
  assert.deepEqual(foo.network.listen.map((l) => [l.port, l.endPort, l.hostPort, l.protocol]), [
    [3000, undefined, undefined, 'tcp'],
    [3001, 3005, undefined, 'tcp'],
    [8000, undefined, 8000, 'tcp'],
    [8080, 8081, undefined, 'tcp'],
    [22, undefined, 49100, 'tcp'],
    [8001, undefined, 8001, 'tcp'],
    [5000, 5010, undefined, 'tcp'],
  ], 'expose 3000 and 8000 merge into the published ports');
  assert.deepEqual(foo.filesystem.mounts.map((m) => [m.type, m.source, m.path, m.readOnly]), [
    ['volume', undefined, '/var/lib/anonymous', false],
    ['bind', '/opt/data', '/var/lib/data', false],
    ['bind', '.', '/code', false],
    ['bind', './static', '/var/www/html', false],
    ['bind', '~/configs', '/etc/configs', true],
    ['volume', 'datavolume', '/var/lib/volume', false],
    ['bind', './opt', '/opt/cached', false],
    ['tmpfs', undefined, '/opt/tmpfs', false],
    ['tmpfs', undefined, '/run', false],
    ['tmpfs', undefined, '/tmp', false],
    ['secret', 'secret1', '/run/secrets/secret1', true],
    ['secret', 'secret2', '/run/secrets/my_secret', true],
    ['other', 'config1', '/config1', true],
    ['other', 'config2', '/my_config', true],
  ]);
  assert.deepEqual(foo.processes.map((p) => [p.role, p.path, p.argv, p.user]), [
    ['main', '/code/entrypoint.sh', ['/code/entrypoint.sh', '-p', '3000', 'bundle', 'exec', 'thin', '-p', '3000'], 'someone'],
    ['healthcheck', '/bin/sh', ['/bin/sh', '-c', 'echo "hello world"'], 'someone'], // echo is the shell's own
  ]);
  assert.deepEqual(foo.network.egress.map((e) => `${e.host}:${e.port}/${e.protocol}`), ['8.8.8.8:53/udp', '9.9.9.9:53/udp']);
  // db and redis are depended on and linked, but not defined in this file.
  assert.deepEqual(result.findings.filter((f) => f.code === 'TN011').map((f) => f.location.path), [
    'services.foo.depends_on[0]', 'services.foo.depends_on[1]', 'services.foo.links[0]', 'services.foo.links[1]', 'services.foo.links[2]',
  ]);
  // The optional env file may be missing; the required one may not.
  assert.deepEqual(result.findings.filter((f) => f.code === 'TN013').map((f) => f.location.path), ['services.foo.build', 'services.foo.env_file[0]']);
  assert.ok(!result.findings.some((f) => f.code === 'TN113'), 'foo builds its image; bar has no image');
  assert.ok(!result.findings.some((f) => f.code === 'TN012'), '${COMPOSE_PROJECT_NAME} is the project name');
});

test('falco: the Docker socket is bind-mounted, all capabilities dropped and three added back', () => {
  const file = 'compose/other/falco-docker-compose.yaml';
  const result = analyzeFixtures(file);
  const falco = modelNamed(result, 'falco');
  assert.deepEqual(falco.capabilities, {
    add: ['SYS_ADMIN', 'SYS_RESOURCE', 'SYS_PTRACE'], drop: ['ALL'], sources: [at(file, 7, 'services.falco.cap_add'), at(file, 5, 'services.falco.cap_drop')],
  });
  assert.deepEqual(falco.filesystem.mounts[0], {
    path: '/host/var/run/docker.sock', type: 'bind', source: '/var/run/docker.sock', readOnly: false, sources: [at(file, 12, 'services.falco.volumes[0]')],
  });
  assert.deepEqual(falco.filesystem.mounts.slice(1).map((m) => [m.source, m.path, m.readOnly]), [
    ['/proc', '/host/proc', true], ['/etc', '/host/etc', true], ['./config/http_output.yml', '/etc/falco/config.d/http_output.yml', false],
  ]);
  // The sidekick names the UI by its container name, the UI names redis in its arguments.
  assert.deepEqual(edgeLines(result), ['other/sidekick -> other/webui 2802/tcp', 'other/webui -> other/redis 6379/tcp']);
  const webui = modelNamed(result, 'webui');
  assert.deepEqual(webui.network.egress, [{ host: 'redis', port: 6379, protocol: 'tcp', sources: [at(file, 31, 'services.webui.command')] }]);
  assert.deepEqual(webui.network.listen, [{ port: 2802, protocol: 'tcp', hostPort: 2802, sources: [at(file, 28, 'services.webui.ports[0]')] }]);
  assert.deepEqual(result.findings.filter((f) => f.code === 'TN113').map((f) => f.location.path), ['services.falco.image', 'services.sidekick.image']);
});

test('kubearmor: a digest-pinned image names the model; privileged, host PID and root', () => {
  const result = analyzeFixtures('compose/other/kubearmor-podman-docker-compose.yaml');
  const init = modelNamed(result, 'kubearmor-init');
  assert.equal(init.id, 'sha256:f1704820c0ff4469abc74927e3c4da5dfed28a57cb49effa0deaf936921fca6a');
  assert.equal(init.security.privileged?.value, true);
  assert.equal(init.security.user?.value, 'root');
  const kubearmor = modelNamed(result, 'kubearmor');
  assert.equal(kubearmor.id, 'compose:other/kubearmor');
  assert.equal(kubearmor.security.hostPID?.value, true);
  assert.deepEqual(kubearmor.processes, [], 'only flags for the image entrypoint');
  assert.deepEqual(result.supermodels[0]?.nodes.map((n) => [n.id, n.models]), [
    ['other/kubearmor', ['compose:other/kubearmor']],
    ['other/kubearmor-init', [init.id]],
  ]);
  assert.deepEqual(edgeLines(result), [], 'the init container declares no port');
});

test('plex and pihole: host network, unset variables reported with their lines', () => {
  const plex = analyzeFixtures(`${AWESOME}/plex/compose.yaml`);
  assert.equal(modelNamed(plex, 'plex').security.hostNetwork?.value, true);
  assert.deepEqual(plex.findings.filter((f) => f.code === 'TN012').map((f) => [f.location.line, f.message]), [
    [10, 'Variable PLEX_MEDIA_PATH is not set; an empty string is used'],
  ]);
  const pihole = analyzeFixtures(`${AWESOME}/pihole-cloudflared-DoH/compose.yaml`);
  assert.equal(pihole.supermodels[0]?.app, 'pihole-cloudflared-doh');
  assert.deepEqual(pihole.findings.filter((f) => f.code === 'TN012').map((f) => f.location.line), [10, 28, 30, 32, 33, 34, 35, 36]);
  assert.ok(!pihole.findings.some((f) => f.code === 'TN112'), 'WEBPASSWORD comes from a variable');
  assert.deepEqual(edgeLines(pihole), [
    'pihole-cloudflared-doh/pihole -> pihole-cloudflared-doh/cloudflared 5054/tcp',
    'pihole-cloudflared-doh/pihole -> pihole-cloudflared-doh/cloudflared 5054/udp',
  ]);
  assert.deepEqual(modelNamed(pihole, 'pihole').network.listen.map((l) => `${l.hostPort}:${l.port}/${l.protocol}`), [
    '53:53/tcp', '53:53/udp', '67:67/udp', '8080:80/tcp', '8443:443/tcp',
  ]);
});

test('portainer and traefik mount the Docker socket; their flag-only commands start no known program', () => {
  for (const app of ['portainer', 'traefik-golang']) {
    const result = analyzeFixtures(`${AWESOME}/${app}/compose.yaml`);
    const model = result.models.find((m) => m.filesystem.mounts.some((x) => x.source === '/var/run/docker.sock'));
    assert.ok(model, app);
    assert.deepEqual(model.processes, []);
  }
});
