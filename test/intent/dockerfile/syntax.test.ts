import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, at, codes } from './helpers.ts';

test('continuations join lines, skipping blank and comment lines inside them', () => {
  const result = analyze([
    'FROM alpine:3.20',
    'EXPOSE 80 \\',
    '    # the admin port',
    '    8081 \\  ',
    '',
    '    9000/udp',
    'CMD ["nginx", \\',
    '     "-g", "daemon off;"]',
    'USER nginx',
  ]);
  const expose = at(2, 'EXPOSE 80 8081 9000/udp');
  assert.deepEqual(result.model.network.listen, [
    { port: 80, protocol: 'tcp', sources: [expose] },
    { port: 8081, protocol: 'tcp', sources: [expose] },
    { port: 9000, protocol: 'udp', sources: [expose] },
  ]);
  assert.deepEqual(result.config.cmd, { form: 'exec', argv: ['nginx', '-g', 'daemon off;'], sources: [at(7, 'CMD ["nginx", "-g", "daemon off;"]')] });
  assert.deepEqual(result.config.user?.sources, [at(9, 'USER nginx')]);
  assert.deepEqual(result.findings, []);
});

test('CRLF line endings read the same as LF', () => {
  const result = analyze('FROM alpine\r\nEXPOSE 80 \\\r\n  443\r\nUSER app\r\n');
  assert.deepEqual(result.model.network.listen.map((l) => [l.port, l.sources[0]?.line, l.sources[0]?.instruction]), [
    [80, 2, 'EXPOSE 80 443'],
    [443, 2, 'EXPOSE 80 443'],
  ]);
  assert.equal(result.config.user?.value, 'app');
});

test('the escape directive makes the backtick the escape character', () => {
  const result = analyze([
    '# escape=`',
    'FROM mcr.microsoft.com/windows/servercore:ltsc2022',
    'WORKDIR C:\\app',
    'COPY app.exe C:\\app\\',
    'RUN dir `',
    '    C:\\',
    'EXPOSE 80 `',
    '       443',
    'USER ContainerUser',
    'CMD ["C:\\\\app\\\\app.exe", "--serve"]',
  ]);
  assert.deepEqual(result.model.network.listen.map((l) => [l.port, l.sources[0]?.line]), [[80, 7], [443, 7]]);
  assert.equal(result.config.workdir, 'C:\\app');
  assert.deepEqual(result.model.processes.map((p) => p.argv), [['C:\\app\\app.exe', '--serve']]);
  assert.deepEqual(result.model.processes[0]?.sources, [at(10, 'CMD ["C:\\\\app\\\\app.exe", "--serve"]')]);
  assert.equal(result.config.user?.value, 'ContainerUser');
  assert.deepEqual(result.findings, []);
});

test('an escape directive after a comment is only a comment', () => {
  const result = analyze(['# a comment', '# escape=`', 'FROM alpine', 'EXPOSE 80 `', '  443', 'USER 1']);
  // The backtick is no escape here, so the next line is an instruction of its own.
  assert.deepEqual(codes(result), ['TN007:4', 'TN008:5']);
});

test('heredocs in RUN and COPY hide their bodies from the instruction reader', () => {
  const result = analyze([
    'FROM debian:12',
    'RUN <<EOF',
    'apt-get update',
    'FROM evil',
    'USER root',
    'EOF',
    'RUN 3<<EOF cat /dev/fd/3 > /etc/motd',
    'EXPOSE 1',
    'EOF',
    'COPY <<-"CONF" /etc/app.conf',
    '\tlisten 80',
    '\tCONF',
    'RUN <<one <<two',
    'first',
    'one',
    'second',
    'two',
    'USER app',
    'EXPOSE 8080',
    'CMD cat <<EOF',
  ]);
  assert.deepEqual(result.findings, []);
  assert.equal(result.config.baseImage, 'debian:12');
  assert.deepEqual(result.config.user?.sources, [at(18, 'USER app')]);
  assert.deepEqual(result.model.network.listen.map((l) => l.port), [8080]);
  // Heredocs belong to RUN, COPY and ADD only: in CMD it is text for the shell.
  assert.deepEqual(result.model.processes[0]?.argv, ['/bin/sh', '-c', 'cat <<EOF']);
});

test('an unterminated heredoc is an error that takes the rest of the file', () => {
  const result = analyze(['FROM alpine', 'USER app', 'RUN <<EOF', 'echo hi', 'EXPOSE 80']);
  assert.deepEqual(codes(result), ['TN009:3']);
  assert.deepEqual(result.model.network.listen, []);
  assert.equal(result.config.user?.value, 'app');
});

test('keywords are case-insensitive and sources keep them as written', () => {
  const result = analyze(['from alpine as build', 'from build', 'expose 80', 'user app']);
  assert.deepEqual(result.model.network.listen[0]?.sources, [at(3, 'expose 80')]);
  assert.deepEqual(result.model.workload?.sources, [at(2, 'from build')]);
  assert.deepEqual(result.findings, []);
});

test('a byte-order mark and parser directives do not shift lines', () => {
  const result = analyze('\ufeff# syntax=docker/dockerfile:1\nFROM alpine\nEXPOSE 80\n');
  assert.deepEqual(result.model.network.listen[0]?.sources, [at(3, 'EXPOSE 80')]);
  assert.deepEqual(codes(result), ['TN106:2']);
});
