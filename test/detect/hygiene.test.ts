import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlertGate } from '../../src/detect/index.ts';
import type { Audit } from '../../src/model/index.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const audit = (rule: string, container = 'c1abcdef', image = 'nginx:1.25'): Audit => ({
  id: 'a', time: new Date(T0).toISOString(), rule, severity: 'medium', message: rule, container: { id: container, name: `n-${container}`, image, imageId: 'sha256:feed' },
  event: { kind: 'syscall', time: new Date(T0).toISOString(), source: 'tenet', syscall: 'ptrace' },
});

test('suppressions silence a rule for a container or an image, until they expire', () => {
  const gate = new AlertGate();
  gate.setSuppressions([
    { id: 's1', rule: 'unexpected-syscall', container: 'c1', reason: 'debugging', createdAt: new Date(T0).toISOString(), expiresAt: new Date(T0 + 60_000).toISOString() },
    { id: 's2', rule: '*', image: 'nginx', reason: 'a noisy build', createdAt: new Date(T0).toISOString() },
  ]);
  assert.equal(gate.decide(audit('unexpected-syscall', 'c1abcdef', 'redis:7'), T0), 'suppressed', 'by container id prefix');
  assert.equal(gate.decide(audit('unexpected-syscall', 'c1abcdef', 'redis:7'), T0 + 61_000), 'emit', 'expired');
  assert.equal(gate.decide(audit('drift', 'c9', 'nginx:1.25'), T0), 'suppressed', 'every rule of an image, by its repository');
  assert.equal(gate.decide(audit('drift', 'c9', 'redis:7'), T0), 'emit');
  assert.equal(gate.counts.suppressed, 2);
});

test('a burst of one rule in one container is said ten times a minute, the rest counted', () => {
  const gate = new AlertGate({ perWindow: 10, windowMs: 60_000 });
  const decisions = Array.from({ length: 1000 }, (_, i) => gate.decide(audit('unexpected-write'), T0 + i));
  assert.deepEqual([decisions.filter((d) => d === 'emit').length, gate.counts.rateLimited], [10, 990]);
  assert.equal(gate.decide(audit('unexpected-write', 'c2'), T0), 'emit', 'another container has its own budget');
  assert.equal(gate.decide(audit('unexpected-write'), T0 + 60_000), 'emit', 'the next minute');
});
