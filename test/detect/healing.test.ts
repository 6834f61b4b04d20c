import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Healer } from '../../src/detect/index.ts';
import type { Audit } from '../../src/model/index.ts';

let n = 0;
const deviation = (container: string, entry: string, fields: Partial<Audit> = {}): Audit => ({
  id: `a${n++}`, time: `2026-01-01T00:00:${String(n % 60).padStart(2, '0')}Z`, rule: 'unexpected-syscall', severity: 'medium', message: `made ${entry}`,
  container: { id: container }, model: 'sha256:m', modelState: 'active', lacked: { dimension: 'syscalls', entry },
  event: { kind: 'syscall', time: '2026-01-01T00:00:00Z', source: 'tenet', syscall: entry },
  ...fields,
});
const ids = () => {
  let i = 0;
  return () => `p${i++}`;
};

test('a deviation every running replica made, with nothing else said of it, is proposed with its evidence; one replica\'s is not yet', () => {
  const healer = new Healer(ids());
  const running = ['c1', 'c2', 'c3'];
  assert.equal(healer.deviation(deviation('c1', 'statfs'), true, new Set(running)), undefined);
  assert.equal(healer.deviation(deviation('c2', 'statfs'), true, new Set(running)), undefined, 'two of three replicas');
  const proposal = healer.deviation(deviation('c3', 'statfs'), true, new Set(running))!;
  assert.deepEqual([proposal.id, proposal.state, proposal.dimension, proposal.entry, proposal.evidence.count, proposal.evidence.containers], ['p0', 'open', 'syscalls', 'statfs', 3, running]);
  assert.match(proposal.why, /every running replica \(3 containers\) did it \(syscalls: statfs\), 3 times/);
  // a lone replica's deviation needs another container of the model (a replacement) to recur
  const lone = new Healer(ids());
  assert.equal(lone.deviation(deviation('c1', 'statfs'), true, new Set(['c1'])), undefined);
  assert.equal(lone.deviation(deviation('c1', 'statfs'), true, new Set(['c1'])), undefined, 'again in the same container: not yet');
  assert.equal(lone.deviation(deviation('c9', 'statfs'), true, new Set(['c9']))?.state, 'open', 'its replacement did it too');
});

test('a deviation in an incident, listed by a feed or of a learning model is never proposed', () => {
  const healer = new Healer(ids());
  const running = ['c1', 'c2'];
  for (const c of running) assert.equal(healer.deviation(deviation(c, 'ptrace'), false, new Set(running)), undefined, 'part of an incident');
  const intel = { intel: [{ feed: 'c2-list', format: 'list' as const }] };
  for (const c of running) assert.equal(healer.deviation(deviation(c, 'x', intel), true, new Set(running)), undefined, 'threat intelligence');
  for (const c of running) assert.equal(healer.deviation(deviation(c, 'y', { modelState: 'learning' }), true, new Set(running)), undefined);
  assert.deepEqual(healer.proposals(), []);
});

test('accepted proposals are handed out once to be taken in; a rejected one stays rejected; a policy accepts chosen dimensions after N', () => {
  const healer = new Healer(ids());
  const running = ['c1', 'c2'];
  for (const c of running) healer.deviation(deviation(c, 'statfs'), true, new Set(running));
  for (const c of running) healer.deviation(deviation(c, 'fstatfs'), true, new Set(running));
  assert.equal(healer.changed(), true);
  assert.equal(healer.changed(), false);
  assert.equal(healer.decide('p0', 'accepted', 'ops', '2026-01-01T01:00:00Z')?.state, 'accepted');
  assert.equal(healer.decide('p0', 'rejected', 'ops', '2026-01-01T01:00:00Z'), undefined, 'decided once');
  assert.deepEqual(healer.accepted().map((p) => p.entry), ['statfs']);
  assert.deepEqual(healer.accepted(), []);
  healer.decide('p1', 'rejected', 'ops', '2026-01-01T01:00:00Z');
  assert.equal(healer.deviation(deviation('c1', 'fstatfs'), true, new Set(running)), undefined, 'rejected: not made again');

  const auto = new Healer(ids(), { dimensions: ['syscalls'], after: 3 });
  for (const c of [...running, 'c1']) auto.deviation(deviation(c, 'statfs'), true, new Set(running));
  assert.deepEqual(auto.accepted().map((p) => [p.entry, p.state, p.decided?.by]), [['statfs', 'accepted', 'policy']]);
  for (const c of [...running, 'c1']) auto.deviation({ ...deviation(c, '/data/x'), lacked: { dimension: 'writable', entry: '/data/x' } }, true, new Set(running));
  assert.deepEqual(auto.accepted(), [], 'a dimension the policy does not name waits');

  // in prevent, what was stopped is counted in the evidence
  const prevent = new Healer(ids());
  const stopped = { action: { taken: 'write-refused' as const } };
  for (const c of running) prevent.deviation({ ...deviation(c, '/data/x', stopped), lacked: { dimension: 'writable', entry: '/data/x' } }, true, new Set(running));
  assert.match(prevent.proposals()[0]!.why, /prevent stopped it 2 times/);

  const restored = new Healer(ids());
  restored.restore(healer.proposals());
  assert.equal(restored.deviation(deviation('c1', 'fstatfs'), true, new Set(running)), undefined, 'a restarted defender keeps what was rejected');
});
