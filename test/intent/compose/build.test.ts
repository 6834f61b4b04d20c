import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BuildOptions, DockerfileLike } from '../../../src/intent/compose/index.ts';
import type { Source } from '../../../src/model/index.ts';
import { analyzeFiles, at, lineOf, modelNamed } from './helpers.ts';

const DOCKERFILE = 'app/backend/Dockerfile';
const df = (line: number, instruction: string): Source => ({ kind: 'declared', format: 'dockerfile', file: DOCKERFILE, line, instruction });

/** What a Dockerfile analyser would say about app/backend/Dockerfile. */
const BACKEND: DockerfileLike = {
  entrypoint: { form: 'exec', argv: ['docker-entrypoint.sh'], sources: [df(5, 'ENTRYPOINT ["docker-entrypoint.sh"]')] },
  cmd: { form: 'exec', argv: ['node', 'server.js'], sources: [df(6, 'CMD ["node", "server.js"]')] },
  user: { value: 'node', sources: [df(4, 'USER node')] },
  exposed: [{ port: 3000, protocol: 'tcp', sources: [df(3, 'EXPOSE 3000')] }],
  volumes: [{ path: '/data', sources: [df(2, 'VOLUME /data')] }],
  healthcheck: { form: 'shell', script: 'curl -f localhost:3000/health', sources: [df(7, 'HEALTHCHECK CMD curl -f localhost:3000/health')] },
  env: [{ name: 'CACHE_ADDR', value: 'cache:6379', source: df(1, 'ENV CACHE_ADDR=cache:6379') }],
  findings: [{ code: 'TN114', severity: 'medium', message: 'ADD from a URL', location: { file: DOCKERFILE, line: 8 } }],
};

function fakeDockerfile() {
  const calls: Array<{ file: string; text: string; build: BuildOptions | undefined }> = [];
  const dockerfile = (file: string, text: string, build?: BuildOptions): DockerfileLike | undefined => {
    calls.push({ file, text, build });
    if (file === DOCKERFILE) return BACKEND;
    if (text.startsWith('FROM alpine')) {
      return {
        cmd: { form: 'shell', script: 'crond -f', sources: [{ kind: 'declared', format: 'dockerfile', file, line: 2, instruction: 'CMD crond -f' }] },
        exposed: [],
        volumes: [],
        findings: [{ code: 'TN106', severity: 'low', message: 'No USER', location: { file, line: 1 } }],
      };
    }
    return undefined;
  };
  return { calls, dockerfile };
}

const COMPOSE = `services:
  web:
    build: ./backend
  worker:
    build:
      context: backend
      args:
        - NODE_ENV=development
      target: dev
    command: npm run worker
  tool:
    build: backend
    entrypoint: ["/bin/tool", "--once"]
  debug:
    build:
      context: ./backend
      args: { DEBUG: 1 }
    user: root
    healthcheck:
      disable: true
  shelly:
    build: backend
    command: "echo 'a b' && rm -rf /"
    healthcheck:
      test: ["CMD", "true"]
  cron:
    build:
      dockerfile_inline: |
        FROM alpine
        CMD crond -f
  missing:
    build:
      context: frontend
      dockerfile: Containerfile
  remote:
    build: https://github.com/example/app.git#main
`;
const FILE = 'app/compose.yaml';

test('a built service starts from its Dockerfile, whole', () => {
  const { dockerfile } = fakeDockerfile();
  const result = analyzeFiles({ [FILE]: COMPOSE, [DOCKERFILE]: 'FROM node' }, [FILE], { dockerfile });
  assert.deepEqual(modelNamed(result, 'web'), {
    apiVersion: 'tenet/v1',
    kind: 'IntentModel',
    id: 'compose:app/web',
    workload: { kind: 'ComposeService', namespace: 'app', name: 'web', sources: [at(FILE, 2, 'services.web')] },
    app: 'app',
    state: 'static',
    processes: [
      { path: 'docker-entrypoint.sh', argv: ['docker-entrypoint.sh', 'node', 'server.js'], role: 'main', user: 'node', sources: [df(5, 'ENTRYPOINT ["docker-entrypoint.sh"]'), df(6, 'CMD ["node", "server.js"]')] },
      { path: '/bin/sh', argv: ['/bin/sh', '-c', 'curl -f localhost:3000/health'], role: 'healthcheck', user: 'node', sources: [df(7, 'HEALTHCHECK CMD curl -f localhost:3000/health')] },
      { path: 'curl', role: 'healthcheck', user: 'node', sources: [df(7, 'HEALTHCHECK CMD curl -f localhost:3000/health')] },
    ],
    network: {
      listen: [{ port: 3000, protocol: 'tcp', sources: [df(3, 'EXPOSE 3000')] }],
      egress: [{ host: 'cache', port: 6379, protocol: 'tcp', sources: [df(1, 'ENV CACHE_ADDR=cache:6379')] }],
      dns: [{ name: 'cache', sources: [df(1, 'ENV CACHE_ADDR=cache:6379')] }],
    },
    filesystem: {
      readOnlyRoot: false,
      writable: [{ path: '/data', sources: [df(2, 'VOLUME /data')] }],
      mounts: [{ path: '/data', type: 'volume', readOnly: false, sources: [df(2, 'VOLUME /data')] }],
    },
    syscalls: { allow: [], sources: [] },
    capabilities: { add: [], drop: [], sources: [] },
    security: { user: { value: 'node', sources: [df(4, 'USER node')] } },
  });
  // The image's own findings come along, once per analysis of the Dockerfile.
  assert.ok(result.findings.some((f) => f.code === 'TN114' && f.location.file === DOCKERFILE));
  // cache is not a service of the project.
  assert.ok(result.findings.some((f) => f.code === 'TN011' && f.message.includes('cache') && f.location.file === DOCKERFILE));
});

test('compose overrides the image as Docker Compose does', () => {
  const { dockerfile, calls } = fakeDockerfile();
  const result = analyzeFiles({ [FILE]: COMPOSE, [DOCKERFILE]: 'FROM node' }, [FILE], { dockerfile });
  const main = (service: string) => modelNamed(result, service).processes.filter((p) => p.role === 'main').map((p) => p.argv);
  // command replaces CMD and keeps the ENTRYPOINT; a string command is split into words, not run by a shell.
  assert.deepEqual(main('worker'), [['docker-entrypoint.sh', 'npm', 'run', 'worker']]);
  assert.deepEqual(modelNamed(result, 'worker').processes[0]?.sources, [df(5, 'ENTRYPOINT ["docker-entrypoint.sh"]'), at(FILE, 10, 'services.worker.command')]);
  // entrypoint replaces the ENTRYPOINT and drops the image's CMD.
  assert.deepEqual(main('tool'), [['/bin/tool', '--once']]);
  assert.deepEqual(main('shelly'), [['docker-entrypoint.sh', 'echo', 'a b', '&&', 'rm', '-rf', '/']]);
  // user overrides USER; disable drops the image's healthcheck; test replaces it.
  const debug = modelNamed(result, 'debug');
  assert.deepEqual(debug.security.user, { value: 'root', sources: [at(FILE, lineOf(COMPOSE, 'user: root'), 'services.debug.user')] });
  assert.deepEqual(debug.processes.map((p) => [p.role, p.path, p.user]), [['main', 'docker-entrypoint.sh', 'root']]);
  assert.deepEqual(modelNamed(result, 'shelly').processes.filter((p) => p.role === 'healthcheck').map((p) => p.argv), [['true']]);
  // Build arguments and the target stage reach the Dockerfile analyser.
  assert.deepEqual(calls.filter((c) => c.file === DOCKERFILE).map((c) => c.build), [
    { args: {} },
    { args: { NODE_ENV: 'development' }, target: 'dev' },
    { args: {} },
    { args: { DEBUG: '1' } },
    { args: {} },
  ]);
});

test('an inline Dockerfile is analysed with its lines in the compose file', () => {
  const { dockerfile } = fakeDockerfile();
  const result = analyzeFiles({ [FILE]: COMPOSE, [DOCKERFILE]: 'FROM node' }, [FILE], { dockerfile });
  const cron = modelNamed(result, 'cron');
  const cmdLine = lineOf(COMPOSE, 'CMD crond -f');
  assert.deepEqual(cron.processes, [
    { path: '/bin/sh', argv: ['/bin/sh', '-c', 'crond -f'], role: 'main', sources: [{ kind: 'declared', format: 'dockerfile', file: FILE, line: cmdLine, instruction: 'CMD crond -f' }] },
    { path: 'crond', role: 'main', sources: [{ kind: 'declared', format: 'dockerfile', file: FILE, line: cmdLine, instruction: 'CMD crond -f' }] },
  ]);
  assert.ok(result.findings.some((f) => f.code === 'TN106' && f.location.file === FILE && f.location.line === lineOf(COMPOSE, 'FROM alpine')));
});

test('a missing Dockerfile is a finding, a remote context is not read, and the rest is still modelled', () => {
  const { dockerfile, calls } = fakeDockerfile();
  const result = analyzeFiles({ [FILE]: COMPOSE, [DOCKERFILE]: 'FROM node' }, [FILE], { dockerfile });
  const missing = result.findings.filter((f) => f.code === 'TN013');
  assert.deepEqual(missing.map((f) => [f.severity, f.location.line, f.location.path, f.model]), [['low', lineOf(COMPOSE, 'missing:') + 1, 'services.missing.build', 'compose:app/missing']]);
  assert.match(missing[0]?.message ?? '', /app\/frontend\/Containerfile/);
  assert.deepEqual(modelNamed(result, 'missing').processes, []);
  assert.deepEqual(modelNamed(result, 'remote').processes, []);
  assert.ok(!calls.some((c) => c.file.includes('github')));
  assert.equal(result.models.length, 8);
  assert.ok(!result.findings.some((f) => f.code === 'TN113'), 'built images are not pulled');
});

test('without a Dockerfile analyser, built services are modelled from the compose file alone', () => {
  const result = analyzeFiles({ [FILE]: COMPOSE, [DOCKERFILE]: 'FROM node' }, [FILE]);
  assert.deepEqual(modelNamed(result, 'web').processes, []);
  assert.deepEqual(modelNamed(result, 'worker').processes.map((p) => p.argv), [['npm', 'run', 'worker']]);
  assert.match(modelNamed(result, 'worker').processes[0]?.sources[0]?.detail ?? '', /ENTRYPOINT is unknown/);
});
