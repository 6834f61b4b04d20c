import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { analyzeDockerfile } from '../../../src/intent/dockerfile/index.ts';
import { Finding, IntentModel } from '../../../src/model/index.ts';
import { mutate, mutations } from '../mutation.ts';

// Whatever the text, the analyser returns a valid model and findings with a line, and never throws.
const SEED = [
  '# syntax=docker/dockerfile:1',
  'ARG BASE=node:24-slim',
  'FROM ${BASE} AS build',
  'WORKDIR /src',
  'COPY package.json ./',
  'RUN <<EOF',
  'npm ci',
  'EOF',
  'FROM build AS final',
  'ENV PORT=3000 \\',
  '    MODE="production"',
  'SHELL ["/bin/bash", "-c"]',
  'COPY --from=build /src /app',
  'USER ${UID:-1000}:1000',
  'EXPOSE ${PORT} 53/udp 8000-8010',
  'VOLUME ["/data", "/logs"]',
  'HEALTHCHECK --interval=5s CMD curl -f http://localhost:${PORT}/ || exit 1',
  'STOPSIGNAL SIGTERM',
  'ONBUILD RUN make',
  'ENTRYPOINT ["node"]',
  'CMD server.js --port $PORT',
].join('\n');

const mutation = mutations(['delete', 'duplicate', 'flip'], ['\\', '`', '$', '{', '}', '"', "'", '[', ']', '<', '-', ':', '=', '#', ' ', '\n', '\r', '\t', '\u0000', 'x', '9'], 4);

function assertSound(text: string): void {
  const { model, findings, config } = analyzeDockerfile('Dockerfile', text);
  const parsed = IntentModel.safeParse(model);
  assert.ok(parsed.success, parsed.error?.message);
  for (const f of findings) {
    assert.ok(Finding.safeParse(f).success, JSON.stringify(f));
    assert.equal(f.location.file, 'Dockerfile');
  }
  assert.ok(Array.isArray(config.shell) && config.shell.length > 0);
}

test('mutations of a valid Dockerfile never throw and always give a model', () => {
  assertSound(SEED);
  fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 8 }), (ops) => assertSound(mutate(SEED, ops))), { numRuns: 500 });
});

test('random strings never throw and always give a model', () => {
  const keywordish = fc.array(
    fc.oneof(
      fc.constantFrom('FROM ', 'RUN ', 'CMD ', 'ENTRYPOINT ', 'EXPOSE ', 'USER ', 'ENV ', 'ARG ', 'COPY --from=', 'HEALTHCHECK CMD ', 'SHELL ', 'ONBUILD ', '<<EOF', '${', '\\\n', '\n', '# escape=`\n'),
      fc.string({ maxLength: 20 }),
    ),
    { maxLength: 40 },
  ).map((parts) => parts.join(''));
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 2000 }), fc.string({ unit: 'binary', maxLength: 500 }), keywordish), assertSound), { numRuns: 500 });
});
