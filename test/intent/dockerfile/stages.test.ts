import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeDockerfile } from '../../../src/intent/dockerfile/index.ts';
import { emptyModel } from '../../../src/model/index.ts';
import { analyze, at, codes, FILE, mainArgv } from './helpers.ts';

test('a single-stage Dockerfile becomes a whole model', () => {
  const result = analyze([
    'FROM nginx:1.27-alpine',
    'USER nginx',
    'EXPOSE 8080',
    'VOLUME /var/cache/nginx',
    'STOPSIGNAL SIGQUIT',
    'CMD ["nginx", "-g", "daemon off;"]',
  ]);
  const expected = emptyModel(`dockerfile:${FILE}`, {
    workload: { kind: 'Dockerfile', name: FILE, sources: [at(1, 'FROM nginx:1.27-alpine')] },
  });
  expected.processes = [
    { path: 'nginx', argv: ['nginx', '-g', 'daemon off;'], role: 'main', user: 'nginx', sources: [at(6, 'CMD ["nginx", "-g", "daemon off;"]')] },
  ];
  expected.network.listen = [{ port: 8080, protocol: 'tcp', sources: [at(3, 'EXPOSE 8080')] }];
  expected.filesystem.writable = [{ path: '/var/cache/nginx', sources: [at(4, 'VOLUME /var/cache/nginx')] }];
  expected.security = {
    user: { value: 'nginx', sources: [at(2, 'USER nginx')] },
    stopSignal: { value: 'SIGQUIT', sources: [at(5, 'STOPSIGNAL SIGQUIT')] },
  };
  assert.deepEqual(result.model, expected);
  assert.equal(result.model.image, undefined);
  assert.equal(result.model.state, 'static');
  assert.deepEqual(result.findings, []);
});

test('multi-stage: only the final stage is the runtime intent; COPY --from is noted', () => {
  const result = analyze([
    'ARG GO_VERSION=1.22',
    'FROM golang:${GO_VERSION} AS build',
    'WORKDIR /src',
    'COPY . .',
    'RUN go build -o /out/app ./cmd/app',
    'EXPOSE 9999',
    'USER builder',
    'CMD ["go", "test"]',
    '',
    'FROM gcr.io/distroless/static:nonroot',
    'COPY --from=build /out/app /usr/local/bin/app',
    'COPY --from=0 /etc/ssl/certs /etc/ssl/certs',
    'COPY --from=nginx:1.27 /etc/nginx/mime.types ./conf/',
    'USER 65532:65532',
    'EXPOSE 8080',
    'ENTRYPOINT ["/usr/local/bin/app"]',
  ]);
  const { config, model } = result;
  assert.equal(config.baseImage, 'gcr.io/distroless/static:nonroot');
  assert.deepEqual(config.copiesFrom, [
    { stage: 'build', from: '/out/app', to: '/usr/local/bin/app', sources: [at(11, 'COPY --from=build /out/app /usr/local/bin/app')] },
    { stage: '0', from: '/etc/ssl/certs', to: '/etc/ssl/certs', sources: [at(12, 'COPY --from=0 /etc/ssl/certs /etc/ssl/certs')] },
    { stage: 'nginx:1.27', from: '/etc/nginx/mime.types', to: '/conf/', sources: [at(13, 'COPY --from=nginx:1.27 /etc/nginx/mime.types ./conf/')] },
  ]);
  assert.deepEqual(model.processes, [
    { path: '/usr/local/bin/app', argv: ['/usr/local/bin/app'], role: 'main', user: '65532:65532', sources: [at(16, 'ENTRYPOINT ["/usr/local/bin/app"]')] },
  ]);
  assert.deepEqual(model.network.listen, [{ port: 8080, protocol: 'tcp', sources: [at(15, 'EXPOSE 8080')] }]);
  assert.deepEqual(model.workload?.sources, [at(10, 'FROM gcr.io/distroless/static:nonroot')]);
  assert.equal(config.workdir, undefined);
  assert.deepEqual(result.findings, []);
});

test('FROM <stage> inherits the stage image config; its ENTRYPOINT drops the inherited CMD', () => {
  const result = analyze([
    'FROM python:3.12-slim AS base',
    'ENV APP_HOME=/srv',
    'WORKDIR $APP_HOME',
    'USER app',
    'EXPOSE 8000',
    'VOLUME /data',
    'HEALTHCHECK CMD curl -f http://localhost:8000/health',
    'SHELL ["/bin/bash", "-c"]',
    'CMD gunicorn app:app',
    'STOPSIGNAL SIGINT',
    'ONBUILD RUN pip install .',
    '',
    'FROM base AS final',
    'ENTRYPOINT ["tini", "--"]',
  ]);
  const { config, model } = result;
  assert.deepEqual(config, {
    baseImage: 'python:3.12-slim',
    entrypoint: { form: 'exec', argv: ['tini', '--'], sources: [at(14, 'ENTRYPOINT ["tini", "--"]')] },
    shell: ['/bin/bash', '-c'],
    user: { value: 'app', sources: [at(4, 'USER app')] },
    exposed: [{ port: 8000, protocol: 'tcp', sources: [at(5, 'EXPOSE 8000')] }],
    volumes: [{ path: '/data', sources: [at(6, 'VOLUME /data')] }],
    workdir: '/srv',
    env: [{ name: 'APP_HOME', value: '/srv', source: at(2, 'ENV APP_HOME=/srv') }],
    stopSignal: { value: 'SIGINT', sources: [at(10, 'STOPSIGNAL SIGINT')] },
    healthcheck: { form: 'shell', script: 'curl -f http://localhost:8000/health', sources: [at(7, 'HEALTHCHECK CMD curl -f http://localhost:8000/health')] },
    copiesFrom: [],
    onbuild: [],
  });
  assert.deepEqual(mainArgv(result), ['tini', '--']);
  // The healthcheck runs under the container's shell, which SHELL changed.
  assert.deepEqual(model.processes.filter((p) => p.role === 'healthcheck'), [
    { path: '/bin/bash', argv: ['/bin/bash', '-c', 'curl -f http://localhost:8000/health'], role: 'healthcheck', user: 'app', sources: [at(7, 'HEALTHCHECK CMD curl -f http://localhost:8000/health')] },
    { path: 'curl', role: 'healthcheck', user: 'app', sources: [at(7, 'HEALTHCHECK CMD curl -f http://localhost:8000/health')] },
  ]);
  assert.deepEqual(model.workload?.sources, [at(13, 'FROM base AS final')]);
  assert.deepEqual(result.findings, []);
});

test('an inherited CMD still runs when the final stage sets no ENTRYPOINT; stages chain to the real base', () => {
  const result = analyze(['FROM alpine:3.20 AS one', 'CMD ["echo", "hi"]', 'FROM one AS two', 'FROM two']);
  assert.deepEqual(mainArgv(result), ['echo', 'hi']);
  assert.equal(result.config.baseImage, 'alpine:3.20');
  assert.deepEqual(result.config.cmd?.sources, [at(2, 'CMD ["echo", "hi"]')]);
});

test('EXPOSE of an earlier stage counts only when the final stage is FROM it', () => {
  const unrelated = analyze(['FROM alpine AS a', 'EXPOSE 1234', 'FROM alpine', 'EXPOSE 80']);
  assert.deepEqual(unrelated.config.exposed.map((e) => e.port), [80]);
  const derived = analyze(['FROM alpine AS a', 'EXPOSE 1234', 'FROM a', 'EXPOSE 80']);
  assert.deepEqual(derived.config.exposed.map((e) => e.port), [1234, 80]);
});

test('stage names match case-insensitively; a later stage name in FROM is an image', () => {
  const result = analyze(['FROM alpine AS Builder', 'USER app', 'FROM BUILDER']);
  assert.equal(result.config.user?.value, 'app');
  assert.equal(result.config.baseImage, 'alpine');
});

test('ONBUILD triggers of the final stage are recorded as written, not inherited', () => {
  const result = analyze(['FROM node:24', 'ONBUILD COPY . /app', 'ONBUILD RUN npm ci', 'USER node']);
  assert.deepEqual(result.config.onbuild, ['COPY . /app', 'RUN npm ci']);
  assert.deepEqual(result.findings, []);
});

test('WORKDIR: relative paths build on the previous one, and a WORKDIR is not writable', () => {
  const result = analyze(['FROM alpine', 'WORKDIR rel', 'WORKDIR /a', 'WORKDIR b/', 'WORKDIR ../c/./d', 'USER 1000']);
  assert.equal(result.config.workdir, '/a/c/d');
  assert.deepEqual(result.model.filesystem.writable, []);
  assert.equal(analyze(['FROM alpine', 'WORKDIR rel']).config.workdir, '/rel');
});

test('VOLUME in JSON and plain form; a relative volume path is an invalid value', () => {
  const result = analyze(['FROM alpine', 'VOLUME ["/data", "/logs"]', 'VOLUME /cache /tmp/x', 'VOLUME relative', 'VOLUME /data', 'USER 1']);
  assert.deepEqual(result.model.filesystem.writable, [
    { path: '/data', sources: [at(2, 'VOLUME ["/data", "/logs"]'), at(5, 'VOLUME /data')] },
    { path: '/logs', sources: [at(2, 'VOLUME ["/data", "/logs"]')] },
    { path: '/cache', sources: [at(3, 'VOLUME /cache /tmp/x')] },
    { path: '/tmp/x', sources: [at(3, 'VOLUME /cache /tmp/x')] },
  ]);
  assert.deepEqual(codes(result), ['TN007:4']);
});

test('EXPOSE: ranges, protocols, and invalid ports as findings on their line', () => {
  const result = analyze(['FROM alpine', 'EXPOSE 53/udp 8000-8010 9090/TCP 7000-7000/sctp', 'EXPOSE abc 70000 0 90-80 80/icmp 8443', 'USER 1']);
  assert.deepEqual(result.model.network.listen, [
    { port: 53, protocol: 'udp', sources: [at(2, 'EXPOSE 53/udp 8000-8010 9090/TCP 7000-7000/sctp')] },
    { port: 8000, endPort: 8010, protocol: 'tcp', sources: [at(2, 'EXPOSE 53/udp 8000-8010 9090/TCP 7000-7000/sctp')] },
    { port: 9090, protocol: 'tcp', sources: [at(2, 'EXPOSE 53/udp 8000-8010 9090/TCP 7000-7000/sctp')] },
    { port: 7000, protocol: 'sctp', sources: [at(2, 'EXPOSE 53/udp 8000-8010 9090/TCP 7000-7000/sctp')] },
    { port: 8443, protocol: 'tcp', sources: [at(3, 'EXPOSE abc 70000 0 90-80 80/icmp 8443')] },
  ]);
  assert.deepEqual(codes(result), ['TN007:3', 'TN007:3', 'TN007:3', 'TN007:3', 'TN007:3']);
  assert.match(result.findings[1]?.message ?? '', /70000/);
});

test('ENV: both forms, quotes removed, a redefinition replaces the value in place', () => {
  const result = analyze([
    'FROM alpine',
    'ENV A=1 GREETING="hello world" SINGLE=\'$A\'',
    'ENV LEGACY some words here',
    'ENV A=2 B=$A',
    'USER 1',
  ]);
  assert.deepEqual(result.config.env.map((e) => [e.name, e.value, e.source.line]), [
    ['A', '2', 4],
    ['GREETING', 'hello world', 2],
    ['SINGLE', '$A', 2],
    ['LEGACY', 'some words here', 3],
    ['B', '1', 4],
  ]);
});

test('an instruction source is one line, cut at 120 characters', () => {
  const result = analyze(['FROM alpine', `CMD echo ${'x'.repeat(200)}`, 'USER 1']);
  const instruction = result.config.cmd?.sources[0]?.instruction ?? '';
  assert.equal(instruction.length, 120);
  assert.ok(instruction.startsWith('CMD echo xxx') && instruction.endsWith('…'));
});

test('a relative COPY destination is under the WORKDIR', () => {
  const result = analyze(['FROM node:24 AS build', 'FROM node:24-slim', 'WORKDIR /app', 'COPY --from=build /src/dist .', 'COPY --from=build /src/node_modules ./node_modules/', 'USER node']);
  assert.deepEqual(result.config.copiesFrom.map((c) => [c.stage, c.from, c.to]), [
    ['build', '/src/dist', '/app'],
    ['build', '/src/node_modules', '/app/node_modules/'],
  ]);
});

test('a build target is modelled instead of the last stage', () => {
  const lines = ['FROM golang:1.22 AS dev', 'USER dev', 'EXPOSE 2345', 'FROM alpine AS prod', 'EXPOSE 8080'];
  const dev = analyzeDockerfile(FILE, lines.join('\n'), {}, 'DEV');
  assert.deepEqual(dev.model.network.listen.map((l) => l.port), [2345]);
  assert.deepEqual(dev.model.workload?.sources, [at(1, 'FROM golang:1.22 AS dev')]);
  assert.deepEqual(dev.findings, []);
  const missing = analyzeDockerfile(FILE, lines.join('\n'), {}, 'test');
  assert.deepEqual(missing.model.network.listen.map((l) => l.port), [8080]);
  assert.deepEqual(missing.findings.map((f) => `${f.code}:${f.location.line}`), ['TN009:4', 'TN106:4']);
});
