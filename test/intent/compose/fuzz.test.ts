import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { analyzeCompose, type DockerfileLike } from '../../../src/intent/compose/index.ts';
import { parseYaml } from '../../../src/intent/document.ts';
import type { FormatResult } from '../../../src/intent/types.ts';
import { Finding, IntentModel, Supermodel } from '../../../src/model/index.ts';
import { FIXTURES } from '../../fixtures.ts';
import { mutate, mutations } from '../mutation.ts';

const SEEDS = [
  'awesome-compose/nginx-flask-mysql/compose.yaml',
  'awesome-compose/react-express-mysql/compose.yaml',
  'awesome-compose/pihole-cloudflared-DoH/compose.yaml',
  'awesome-compose/elasticsearch-logstash-kibana/compose.yaml',
  'other/compose-go-full-example.yml',
  'other/coturn-docker-compose.yml',
  'other/falco-docker-compose.yaml',
  'other/kubearmor-podman-docker-compose.yaml',
].map((path) => ({ path, text: readFileSync(join(FIXTURES, 'compose', path), 'utf8') }));

const mutation = mutations(['delete', 'duplicate', 'flip', 'truncate', 'indent'], [':', '-', ' ', '{', '[', '"', "'", '#', '&a ', '*a', '<<: *a', '$', '${', '${X:?}', '$$', '0', '/', '=', 'host', '65536', '-1'], 4);

/** Every referenced file exists and holds the same arbitrary text; Dockerfiles give back arbitrary intent. */
function analyze(file: string, text: string, referenced: string): FormatResult {
  const docs = parseYaml(file, text).documents;
  const dockerfile = (path: string): DockerfileLike => ({
    cmd: { form: 'shell', script: referenced, sources: [{ kind: 'declared', format: 'dockerfile', file: path, line: 1 }] },
    exposed: [{ port: 8080, protocol: 'tcp', sources: [] }],
    volumes: [{ path: referenced, sources: [] }],
    healthcheck: 'NONE',
    findings: [],
  });
  return analyzeCompose(docs, { files: { read: () => referenced }, environment: { X: referenced }, dockerfile });
}

function assertSound(result: FormatResult): void {
  for (const model of result.models) {
    const parsed = IntentModel.safeParse(model);
    assert.ok(parsed.success, parsed.error?.message);
  }
  for (const supermodel of result.supermodels) assert.ok(Supermodel.safeParse(supermodel).success);
  for (const f of result.findings) {
    assert.ok(Finding.safeParse(f).success, JSON.stringify(f));
    assert.ok(f.location.line >= 1);
  }
  assert.equal(new Set(result.models.map((m) => m.id)).size, result.models.length);
}

test('mutated compose files never make the analyser throw, and what it returns is valid', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: SEEDS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), fc.string({ maxLength: 40 }), (i, ops, referenced) => {
      const seed = SEEDS[i]!;
      assertSound(analyze(seed.path, mutate(seed.text, ops), referenced));
    }),
    { numRuns: 400 },
  );
});

test('arbitrary values under the keys Compose knows never make the analyser throw', () => {
  const KEYS = [
    'image', 'build', 'command', 'entrypoint', 'ports', 'expose', 'environment', 'env_file', 'volumes', 'tmpfs', 'user',
    'healthcheck', 'cap_add', 'cap_drop', 'security_opt', 'privileged', 'read_only', 'pid', 'ipc', 'network_mode',
    'networks', 'depends_on', 'links', 'external_links', 'extends', 'secrets', 'configs', 'dns', 'container_name', 'use_api_socket',
  ];
  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.array(fc.oneof(fc.string(), fc.integer({ min: -1, max: 70000 }), fc.constantFrom('80:80', '1-3:1-3/udp', './a:/b:ro', 'NET_ADMIN', 'CMD', 'db:3306', 'x=${Y:-z}'))),
    fc.constantFrom('host', 'none', 'service:a', '${X}', 'a:b:c', 'NONE'),
  );
  const service = fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 8 });
  const compose = fc.record({ name: fc.oneof(fc.string(), fc.constant(undefined)), services: fc.dictionary(fc.constantFrom('a', 'b', 'db', 'web', '__proto__'), fc.oneof(service, value), { maxKeys: 4 }) });
  fc.assert(
    fc.property(compose, fc.string({ maxLength: 40 }), (doc, referenced) => {
      assertSound(analyze('p/compose.yaml', stringify(doc), referenced));
    }),
    { numRuns: 400 },
  );
});
