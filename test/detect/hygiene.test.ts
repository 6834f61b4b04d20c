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

test('past the limit, a minute\'s audits of a rule in a container are folded into one: how many, from when to when, their distinct values', () => {
  const gate = new AlertGate({ perWindow: 10, windowMs: 60_000 });
  const port = (i: number): Audit => ({ ...audit('unexpected-egress'), id: `e${i}`, time: new Date(T0 + i * 10).toISOString(), lacked: { dimension: 'egress', entry: `tcp/10.0.0.5:${1000 + (i % 109)}` } });
  const decisions = Array.from({ length: 1000 }, (_, i) => gate.decide(port(i), T0 + i * 10));
  assert.equal(decisions.filter((d) => d === 'emit').length, 10);
  assert.deepEqual(gate.flush(T0 + 59_000), [], 'the minute is not over');
  const [folded, ...others] = gate.flush(T0 + 60_000);
  assert.equal(others.length, 0);
  assert.equal(folded!.id, 'e10', 'the first audit held back, with its event as evidence');
  assert.deepEqual([folded!.folded!.count, folded!.folded!.first, folded!.folded!.last], [990, new Date(T0 + 100).toISOString(), new Date(T0 + 9_990).toISOString()]);
  assert.deepEqual([folded!.folded!.values.length, folded!.folded!.more], [20, 89], '109 ports: 20 listed, the others counted');
  assert.match(folded!.message, /^990 more unexpected-egress audits past the limit of 10 a minute, .* and 106 more$/);
  assert.deepEqual(gate.flush(T0 + 120_000), [], 'said once');
  // a window that ends while the burst goes on, and one still open when the defender stops
  for (let i = 0; i < 12; i++) gate.decide(audit('drift'), T0 + 200_000 + i);
  assert.equal(gate.decide(audit('drift'), T0 + 260_000), 'emit', 'a new minute');
  for (let i = 0; i < 11; i++) gate.decide(audit('drift'), T0 + 260_001 + i);
  assert.deepEqual(gate.flush(T0 + 260_100).map((a) => a.folded?.count), [2], 'the ended window, the open one not yet');
  assert.deepEqual(gate.flush(T0 + 260_100, true).map((a) => a.folded?.count), [2], 'at stop: what the open window held');
});
