import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseJson } from '../../../src/intent/document.ts';
import { analyzeMarathon } from '../../../src/intent/marathon/index.ts';
import { Finding, IntentModel, Supermodel } from '../../../src/model/index.ts';
import { MARATHON } from './load.ts';

// Whatever the values, the analyser returns schema-valid output and never throws.
function assertSound(value: unknown): void {
  const { documents } = parseJson('fuzz.json', JSON.stringify(value, null, 2) ?? 'null');
  const result = analyzeMarathon(documents);
  for (const model of result.models) assert.ok(IntentModel.safeParse(model).success, JSON.stringify(model));
  for (const supermodel of result.supermodels) assert.ok(Supermodel.safeParse(supermodel).success, JSON.stringify(supermodel));
  for (const finding of result.findings) assert.ok(Finding.safeParse(finding).success && finding.location.line >= 1, JSON.stringify(finding));
}

const SEEDS = [
  'apps/docs-api-app.json', 'apps/examples-bridge.json', 'apps/system-test-healthcheck-and-volume.json', 'apps/marathon-lb-docker_ippc.json',
  'apps/system-test-mom-ee-strict-1.7.json', 'groups/docs-api-group.json', 'groups/examples-Group-1.json', 'pods/docs-api-pod.json',
  'api-responses/docs-api-app_list.json',
].map((name) => JSON.parse(readFileSync(join(MARATHON, name), 'utf8')) as unknown);

type Path = Array<string | number>;

/** Every path to a value inside `value`, the root included. */
function pathsOf(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...at, i], out));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out);
  return out;
}

/** A copy of `value` with the value at `path` replaced, or removed when `replacement` is undefined. */
function replaced(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value) && typeof head === 'number') {
    const copy = [...value];
    if (rest.length === 0 && replacement === undefined) copy.splice(head, 1);
    else copy[head] = replaced(value[head], rest, replacement);
    return copy;
  }
  if (typeof value === 'object' && value !== null && typeof head === 'string') {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    if (rest.length === 0 && replacement === undefined) delete copy[head];
    else copy[head] = replaced(copy[head], rest, replacement);
    return copy;
  }
  return value;
}

const FIELDS = ['id', 'cmd', 'args', 'container', 'portDefinitions', 'ports', 'networks', 'env', 'healthChecks', 'dependencies', 'user', 'apps', 'groups', 'pods', 'containers', 'labels'];

test('random JSON values, and random values in the fields of apps and groups, never crash the analyser', () => {
  const app = fc.dictionary(fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 4 }), { minKeys: 1 }).map((r) => ({ id: '/x', ...r }));
  fc.assert(fc.property(fc.oneof(fc.jsonValue(), app, fc.array(app), fc.record({ id: fc.string(), apps: fc.array(app), groups: fc.array(fc.record({ id: fc.string(), apps: fc.array(app) })) })), (value) => {
    assertSound(value);
  }), { numRuns: 500 });
});

test('mutated real definitions (a value replaced or removed anywhere) never crash the analyser', () => {
  const replacement = fc.option(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(0, -1, 70000, 1.5, '', '..', '/', '../..', 'udp,tcp', 'HOST', 'SHARE_PARENT', null)), { nil: undefined });
  fc.assert(fc.property(fc.nat(SEEDS.length - 1), fc.array(fc.tuple(fc.nat(), replacement), { minLength: 1, maxLength: 4 }), (seed, edits) => {
    let value = SEEDS[seed];
    for (const [pick, by] of edits) {
      const paths = pathsOf(value);
      value = replaced(value, paths[pick % paths.length] ?? [], by);
    }
    assertSound(value);
  }), { numRuns: 500 });
});
