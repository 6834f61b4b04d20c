import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { collectInputs } from '../../src/cli/inputs.ts';
import { analyze, type InputFile } from '../../src/intent/index.ts';
import { Analysis } from '../../src/model/index.ts';
import { FIXTURES } from '../fixtures.ts';
import { mutate, mutations } from './mutation.ts';

// Fuzzing through the front door of the analyser: whatever the bytes, it returns a
// valid analysis and never throws.
const { inputs: seeds } = collectInputs([`${FIXTURES}kubernetes`, `${FIXTURES}compose`, `${FIXTURES}marathon`], 1 << 20);
const decoder = new TextDecoder();
const encoder = new TextEncoder();
const NAMES = ['a.yaml', 'b.yml', 'c.json', 'Dockerfile', 'compose.yaml', 'noext'];

const mutation = mutations(['delete', 'duplicate', 'flip', 'truncate'], [':', '-', ' ', '{', '[', '"', "'", '\t', '\n', '#', '&', '*', '!', '|', '>', '0', '\u0000', '${'], 5);

function assertSound(files: InputFile[]): void {
  const result = analyze(files);
  const parsed = Analysis.safeParse(result);
  assert.ok(parsed.success, parsed.error?.message);
  for (const f of result.findings) assert.ok(f.location.line >= 1);
}

test('mutated real manifests never crash the analyser', () => {
  assert.ok(seeds.length > 50);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), (i, ops) => {
      const seed = seeds[i]!;
      assertSound([{ path: seed.path, content: encoder.encode(mutate(decoder.decode(seed.content), ops)) }]);
    }),
    { numRuns: 300 },
  );
});

test('random values, as YAML or JSON under any name, never crash the analyser', () => {
  const value = fc.oneof(
    fc.jsonValue(),
    fc.record({ apiVersion: fc.constant('apps/v1'), kind: fc.constantFrom('Deployment', 'Pod', 'Service', 'CronJob', 'List'), metadata: fc.jsonValue(), spec: fc.jsonValue() }),
    fc.record({ services: fc.dictionary(fc.string(), fc.jsonValue()) }),
    fc.record({ id: fc.string(), cmd: fc.jsonValue(), container: fc.jsonValue(), portDefinitions: fc.jsonValue(), groups: fc.jsonValue() }),
  );
  fc.assert(
    fc.property(value, fc.constantFrom(...NAMES), fc.boolean(), (v, name, asJson) => {
      const text = asJson ? JSON.stringify(v) ?? 'null' : stringify(v);
      assertSound([{ path: name, content: encoder.encode(text) }]);
    }),
    { numRuns: 400 },
  );
});

test('random bytes and strings never crash the analyser', () => {
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 2000 }), fc.string({ maxLength: 2000 }).map((s) => encoder.encode(s))), fc.constantFrom(...NAMES), (bytes, name) => {
      assertSound([{ path: name, content: bytes }]);
    }),
    { numRuns: 300 },
  );
});
