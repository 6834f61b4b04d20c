import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { isUnusable } from '../../src/model/index.ts';
import { FIXTURES } from '../fixtures.ts';
import { analyzePaths } from './analyze-input.ts';

test('every Kubernetes, Compose and Marathon fixture is analysed, and none is unusable', () => {
  const analysis = analyzePaths(join(FIXTURES, 'kubernetes'), join(FIXTURES, 'compose'), join(FIXTURES, 'marathon'));
  assert.deepEqual(analysis.findings.filter(isUnusable), []);
  const files = new Set(analysis.models.flatMap((m) => m.workload?.sources.map((s) => s.file) ?? []));
  assert.ok(files.size > 50, `models came from only ${files.size} files`);
});

test('the whole fixtures tree, events and feeds included, is analysed without an unusable finding', () => {
  const analysis = analyzePaths(FIXTURES);
  assert.deepEqual(analysis.findings.filter(isUnusable), []);
  // Seccomp profiles, STIX bundles and schemas are JSON that describes nothing to model.
  assert.ok(analysis.findings.some((f) => f.code === 'TN006' && f.location.file.endsWith('docker-default.json')));
});
