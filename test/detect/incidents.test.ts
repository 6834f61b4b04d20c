import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IncidentBuilder, PATTERNS } from '../../src/detect/index.ts';
import type { Audit, Incident, Severity } from '../../src/model/index.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
let n = 0;
const audit = (rule: string, seconds: number, fields: { path?: string; message?: string; severity?: Severity; container?: string } = {}): Audit => ({
  id: `a${n++}`, time: new Date(T0 + seconds * 1000).toISOString(), rule, severity: fields.severity ?? 'high',
  message: fields.message ?? `${rule} ${fields.path ?? ''}`, container: { id: fields.container ?? 'c1', name: 'web' },
  event: { kind: 'exec', time: new Date(T0 + seconds * 1000).toISOString(), source: 'tenet', process: { pid: 1, ...(fields.path !== undefined && { path: fields.path }) } },
});
const story = (audits: Audit[]) => {
  let ids = 0;
  const builder = new IncidentBuilder(() => `i${ids++}`);
  const incidents = new Map<string, Incident>();
  for (const a of audits) {
    const incident = builder.add(a);
    if (incident !== undefined) incidents.set(incident.id, structuredClone(incident));
  }
  return [...incidents.values()];
};

test('an exploit chain is one incident whose pattern grows with the story', () => {
  const incidents = story([
    audit('unexpected-process', 0, { path: '/bin/sh' }),
    audit('unexpected-syscall', 1, { severity: 'medium' }),
    audit('drift', 5, { path: '/tmp/x', severity: 'critical' }),
    audit('unexpected-egress', 6),
  ]);
  assert.equal(incidents.length, 1);
  const [incident] = incidents;
  assert.deepEqual([incident!.pattern, incident!.severity, incident!.count], ['exploit-to-execution', 'critical', 4]);
  assert.deepEqual(incident!.timeline.map((t) => t.rule), ['unexpected-process', 'unexpected-syscall', 'drift', 'unexpected-egress']);
});

test('a flood of identical audits is one incident with a count; lone low audits are no incident', () => {
  const flood = story(Array.from({ length: 500 }, (_, i) => audit('crypto-miner', i, { message: 'ran xmrig', severity: 'critical' })));
  assert.equal(flood.length, 1);
  assert.deepEqual([flood[0]!.pattern, flood[0]!.count, flood[0]!.timeline.length, flood[0]!.timeline[0]!.count], ['crypto-mining', 500, 1, 500]);
  assert.deepEqual(story([audit('unexpected-syscall', 0, { severity: 'medium' }), audit('unexpected-write', 3, { severity: 'medium' })]), []);
});

test('each pattern from the audits that tell it; other containers and later windows are other incidents', () => {
  const patterns = (audits: Audit[]) => story(audits).map((i) => i.pattern);
  assert.deepEqual(patterns([audit('unexpected-process', 0, { path: '/usr/bin/bash' })]), ['shell-in-container']);
  assert.deepEqual(patterns([audit('reverse-shell', 0)]), ['reverse-shell']);
  assert.deepEqual(patterns([audit('sensitive-read', 0), audit('unexpected-egress', 30)]), ['credential-exfiltration']);
  assert.deepEqual(patterns([audit('drift', 0), audit('unexpected-listen', 2)]), ['drift-and-listener']);
  assert.deepEqual(patterns([audit('lateral-movement', 0)]), ['lateral-movement']);
  assert.deepEqual(patterns([audit('sensitive-read', 0), audit('lateral-movement', 10)]), ['credential-exfiltration'], 'credentials read, then a neighbour reached');
  assert.deepEqual(patterns([audit('threat-intel-peer', 0)]), ['command-and-control']);
  assert.deepEqual(patterns([audit('container-escape', 0)]), ['container-escape']);
  assert.deepEqual(patterns([audit('drift', 0)]), ['dropped-program']);
  assert.deepEqual(patterns([audit('drift', 0, { container: 'c1' }), audit('drift', 1, { container: 'c2' })]), ['dropped-program', 'dropped-program']);
  assert.deepEqual(patterns([audit('drift', 0), audit('drift', 3600, { message: 'again' })]), ['dropped-program', 'dropped-program'], 'an hour apart: two stories');
  assert.equal(new Set(PATTERNS.map((p) => p.id)).size, PATTERNS.length);
});
