import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, at, codes } from './helpers.ts';

const DOCKERFILE = [
  'ARG BASE=alpine',
  'ARG TAG',
  'FROM ${BASE}:${TAG:-3.20}',
  'ARG PORT=8080',
  'ARG UID',
  'ENV HOME_DIR=/home/app LOG=${LOG_DIR:-/var/log/app}',
  'WORKDIR ${HOME_DIR}',
  'WORKDIR sub/../work',
  'VOLUME ${LOG} "/cache"',
  'EXPOSE ${PORT} ${METRICS_PORT:-9100}/tcp',
  'USER ${UID:-1000}:${GID:-1000}',
  'STOPSIGNAL ${SIG:-SIGTERM}',
  'COPY --chown=${UID} conf/ ${HOME_DIR}/conf/',
  'CMD ["serve", "--port", "$PORT"]',
];

test('ARG defaults and ENV values are substituted where Docker substitutes them', () => {
  const { config, model, findings } = analyze(DOCKERFILE);
  assert.equal(config.baseImage, 'alpine:3.20');
  assert.equal(config.workdir, '/home/app/work');
  assert.deepEqual(config.volumes.map((v) => v.path), ['/var/log/app', '/cache']);
  assert.deepEqual(model.network.listen, [
    { port: 8080, protocol: 'tcp', sources: [at(10, 'EXPOSE ${PORT} ${METRICS_PORT:-9100}/tcp')] },
    { port: 9100, protocol: 'tcp', sources: [at(10, 'EXPOSE ${PORT} ${METRICS_PORT:-9100}/tcp')] },
  ]);
  assert.deepEqual(model.security.user, { value: '1000:1000', sources: [at(11, 'USER ${UID:-1000}:${GID:-1000}')] });
  assert.equal(model.security.stopSignal?.value, 'SIGTERM');
  // Exec form is not substituted: the variable reaches the program as written.
  assert.deepEqual(model.processes[0]?.argv, ['serve', '--port', '$PORT']);
  assert.deepEqual(findings, []);
});

test('build arguments override ARG defaults, before and after FROM', () => {
  const { config, model } = analyze(DOCKERFILE, { TAG: '3.19', PORT: '9000', UID: '10001', NOT_DECLARED: 'x' });
  assert.equal(config.baseImage, 'alpine:3.19');
  assert.deepEqual(model.network.listen.map((l) => l.port), [9000, 9100]);
  assert.equal(model.security.user?.value, '10001:1000');
});

test('a global ARG is seen in a stage only when the stage declares it again', () => {
  const result = analyze(['ARG VERSION=1.0', 'FROM alpine', 'USER app-$VERSION', 'ARG VERSION', 'USER u-$VERSION', 'ARG OTHER=own', 'EXPOSE 80']);
  assert.deepEqual(codes(result), ['TN012:3']);
  assert.equal(result.config.user?.value, 'u-1.0');
  // A stage default wins over the global value; a build argument wins over both.
  const overridden = analyze(['ARG V=global', 'FROM alpine', 'ARG V=stage', 'USER $V']);
  assert.equal(overridden.config.user?.value, 'stage');
  assert.equal(analyze(['ARG V=global', 'FROM alpine', 'ARG V=stage', 'USER $V'], { V: 'cli' }).config.user?.value, 'cli');
});

test('ENV wins over an ARG of the same name, whatever the order', () => {
  assert.equal(analyze(['FROM alpine', 'ENV WHO=env', 'ARG WHO=arg', 'USER $WHO']).config.user?.value, 'env');
  assert.equal(analyze(['FROM alpine', 'ARG WHO=arg', 'ENV WHO=env', 'USER $WHO']).config.user?.value, 'env');
});

test('ENV is inherited by FROM <stage>, ARG is not', () => {
  const result = analyze(['FROM alpine AS base', 'ENV PORT=3000', 'ARG ADMIN=9000', 'FROM base', 'EXPOSE $PORT $ADMIN']);
  assert.deepEqual(result.model.network.listen.map((l) => l.port), [3000]);
  assert.deepEqual(codes(result).filter((c) => c.startsWith('TN012')), ['TN012:5']);
});

test('variables without a value in FROM, EXPOSE and USER are findings; elsewhere they are empty', () => {
  const result = analyze(['ARG IMAGE', 'FROM ${IMAGE}', 'EXPOSE $PORT', 'USER $NOBODY', 'WORKDIR /srv/$NOWHERE', 'CMD ["x"]']);
  assert.deepEqual(codes(result), ['TN012:2', 'TN009:2', 'TN012:3', 'TN012:4', 'TN106:2']);
  assert.match(result.findings[0]?.message ?? '', /IMAGE/);
  assert.equal(result.config.baseImage, undefined);
  assert.equal(result.config.workdir, '/srv');
  assert.equal(result.config.user, undefined);
});

test('the automatic platform ARGs are known in FROM lines', () => {
  const result = analyze(['FROM --platform=$BUILDPLATFORM golang:1.22 AS build', 'FROM alpine:${TARGETARCH:-latest}', 'USER 1']);
  assert.deepEqual(result.findings, []);
  assert.equal(result.config.baseImage, 'alpine:latest');
});

test('RUN, CMD and ENTRYPOINT in shell form keep their variables for the shell', () => {
  const result = analyze(['FROM alpine', 'ENV PORT=80', 'ENTRYPOINT exec httpd -p $PORT -h "${ROOT:-/www}"']);
  assert.deepEqual(result.model.processes[0]?.argv, ['/bin/sh', '-c', 'exec httpd -p $PORT -h "${ROOT:-/www}"']);
});

test('a bad substitution is a Dockerfile error on its line', () => {
  const result = analyze(['FROM alpine', 'USER ${', 'EXPOSE ${PORT', 'WORKDIR "/open', 'USER app']);
  assert.deepEqual(codes(result), ['TN009:2', 'TN009:3', 'TN009:4']);
  assert.equal(result.config.user?.value, 'app');
});

test('a bad substitution in a LABEL fails the build too', () => {
  assert.deepEqual(codes(analyze(['FROM alpine', 'LABEL version="${VERSION:-1}" broken=${', 'USER app'])), ['TN009:2']);
});
