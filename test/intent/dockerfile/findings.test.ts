import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, codes, FILE } from './helpers.ts';

test('an unknown instruction is reported on its line and the rest is still modelled', () => {
  const result = analyze(['FROM debian:12', 'RUN true', 'FOOBAR baz', 'USER app', 'EXPOSE 8080']);
  assert.deepEqual(result.findings, [
    { code: 'TN008', severity: 'high', message: 'Unknown instruction FOOBAR; docker build would fail here', location: { file: FILE, line: 3 } },
  ]);
  assert.equal(result.model.security.user?.value, 'app');
  assert.deepEqual(result.model.network.listen.map((l) => l.port), [8080]);
});

test('Dockerfile errors: no FROM, instructions before FROM, missing arguments, bad stages', () => {
  assert.deepEqual(codes(analyze('')), ['TN009:1']);
  assert.deepEqual(codes(analyze('# only a comment\n\n')), ['TN009:1']);
  assert.deepEqual(codes(analyze(['', 'RUN make', 'EXPOSE 80'])), ['TN009:2']);
  assert.deepEqual(codes(analyze(['ARG V=1', 'EXPOSE 80', 'FROM alpine', 'USER app'])), ['TN009:2']);
  assert.deepEqual(codes(analyze(['FROM alpine', 'USER', 'EXPOSE', 'ENV', 'COPY onlyone', 'USER app'])), ['TN009:2', 'TN009:3', 'TN009:4', 'TN009:5']);
  assert.deepEqual(codes(analyze(['FROM', 'FROM alpine AS a b', 'FROM alpine AS 1bad', 'FROM alpine AS a', 'FROM alpine AS a', 'USER app'])), [
    'TN009:1', 'TN009:2', 'TN009:3', 'TN009:5',
  ]);
  assert.deepEqual(codes(analyze(['FROM alpine AS build', 'COPY --from=Not_An_Image!! /a /b', 'COPY --from=7 /a /b', 'COPY --from=build /a /b', 'USER app'])), [
    'TN009:2', 'TN009:3', 'TN009:4',
  ]);
  assert.deepEqual(codes(analyze(['FROM alpine', 'SHELL /bin/bash -c', 'SHELL []', 'ENV NOVALUE', 'ENV A=1 B', 'LABEL a=b c', 'USER app'])), [
    'TN009:2', 'TN009:3', 'TN009:4', 'TN009:5', 'TN009:6',
  ]);
  assert.deepEqual(codes(analyze(['FROM alpine', 'ONBUILD FROM x', 'ONBUILD FOOBAR', 'STOPSIGNAL not a signal', 'USER app'])), ['TN009:2', 'TN008:3', 'TN007:4']);
});

test('COPY --from an image that is not a stage is fine', () => {
  const result = analyze(['FROM alpine', 'COPY --from=builder /a /b', 'COPY --from=ghcr.io/acme/tools:1.2@sha256:' + 'a'.repeat(64) + ' /t /t', 'USER app']);
  assert.deepEqual(result.findings, []);
  assert.deepEqual(result.config.copiesFrom.map((c) => c.stage), ['builder', `ghcr.io/acme/tools:1.2@sha256:${'a'.repeat(64)}`]);
});

test('no USER in the final stage: one low finding on the final FROM', () => {
  const result = analyze(['FROM golang AS build', 'USER builder', 'FROM alpine AS mid', 'FROM alpine', 'CMD ["app"]']);
  assert.deepEqual(result.findings, [
    { code: 'TN106', severity: 'low', message: 'The final stage sets no USER: the image runs as root unless its deployment sets a user', location: { file: FILE, line: 4 }, model: `dockerfile:${FILE}` },
  ]);
  assert.deepEqual(codes(analyze(['FROM golang AS build', 'USER builder', 'FROM build'])), []);
});

test('USER root or 0 as the final user runs as root', () => {
  for (const user of ['root', '0', '0:0', 'root:root']) {
    const result = analyze(['FROM alpine', 'USER app', `USER ${user}`, 'CMD ["sh"]']);
    assert.deepEqual(result.findings.map((f) => [f.code, f.severity, f.location.line, f.model]), [['TN105', 'medium', 3, `dockerfile:${FILE}`]], user);
  }
  assert.deepEqual(codes(analyze(['FROM alpine AS build', 'USER root', 'FROM alpine', 'USER 1000'])), []);
  assert.deepEqual(codes(analyze(['FROM alpine', 'USER root', 'USER 1000'])), []);
});

test('ADD from a URL without a checksum', () => {
  const result = analyze([
    'FROM alpine',
    'ADD https://example.com/tool.tgz /tmp/',
    'ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tgz /tmp/',
    'ADD ./local.tgz http.txt /opt/',
    'ADD ["http://example.com/a", "/a"]',
    'USER app',
  ]);
  assert.deepEqual(result.findings.map((f) => [f.code, f.severity, f.location.line]), [['TN114', 'medium', 2], ['TN114', 'medium', 5]]);
  assert.match(result.findings[0]?.message ?? '', /https:\/\/example\.com\/tool\.tgz/);
});

test('garbage text never throws and always gives a model', () => {
  const inputs = [
    '\u0000\uffff ]]] {{{ $$$ \\\n\\',
    'FROM\u0000alpine\nEXPOSE \u0007',
    Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join(''),
    '${{{\nFROM ${\nUSER ${:}\nEXPOSE ${X/\nCOPY --from=${ a b\nRUN <<\n<<EOF',
    'FROM a\nONBUILD\nONBUILD ONBUILD\nHEALTHCHECK --x\nSHELL ["a"\nVOLUME ["/x", 1]\nENV ="x"\nARG =y',
  ];
  for (const text of inputs) {
    const result = analyze(text);
    assert.equal(result.model.id, `dockerfile:${FILE}`);
    for (const f of result.findings) assert.ok(f.location.line >= 1 && Number.isInteger(f.location.line));
  }
});
