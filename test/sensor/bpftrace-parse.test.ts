import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeQuestion, parseSensorLine } from '../../src/sensor/index.ts';

const printf = (...fields: Array<string | number>) => JSON.stringify({ type: 'printf', data: `${fields.join('\x1f')}\n` });

test('each record of the sensor becomes what it says, with names for syscall and capability numbers', () => {
  assert.deepEqual(parseSensorLine(printf('exec', 63, 22437, 22416, 0, '/usr/sbin/nginx', 'containerd-shim', 'nginx')), {
    record: { tag: 'exec', cgroup: '63', pid: 22437, ppid: 22416, uid: 0, path: '/usr/sbin/nginx', parentName: 'containerd-shim', name: 'nginx' },
  });
  assert.deepEqual(parseSensorLine(printf('argv', 63, 7, 'sh', '-c', 'echo hi', '', 'HOME=/root')), { record: { tag: 'argv', cgroup: '63', pid: 7, argv: ['sh', '-c', 'echo hi'] } },
    'the first empty slot ends the argv: what follows would be the environment');
  assert.deepEqual(parseSensorLine(printf('syscall', 63, 7, 257)), { record: { tag: 'syscall', cgroup: '63', pid: 7, syscall: 'openat' } });
  assert.deepEqual(parseSensorLine(printf('capability', 63, 7, 10, -1)), { record: { tag: 'capability', cgroup: '63', pid: 7, capability: 'CAP_NET_BIND_SERVICE', denied: true } });
  assert.deepEqual(parseSensorLine(printf('connect', 63, 7, 'udp', '10.255.255.53', 53)), { record: { tag: 'connect', cgroup: '63', pid: 7, protocol: 'udp', address: '10.255.255.53', port: 53 } });
  assert.deepEqual(parseSensorLine(printf('accept', 63, 7, 80, '172.17.0.1', 60494)), { record: { tag: 'accept', cgroup: '63', pid: 7, port: 80, peer: '172.17.0.1', peerPort: 60494 } });
  // a dual-stack socket's IPv4 peer is the IPv4 address it is; a real IPv6 peer stays as it is
  assert.deepEqual(parseSensorLine(printf('accept', 63, 7, 8080, '::ffff:10.88.0.5', 41000)), { record: { tag: 'accept', cgroup: '63', pid: 7, port: 8080, peer: '10.88.0.5', peerPort: 41000 } });
  assert.deepEqual(parseSensorLine(printf('connect', 63, 7, 'tcp', '::FFFF:10.0.0.7', 6379)), { record: { tag: 'connect', cgroup: '63', pid: 7, protocol: 'tcp', address: '10.0.0.7', port: 6379 } });
  assert.deepEqual(parseSensorLine(printf('connect', 63, 7, 'tcp', '::ffff:a00:7', 6379)), { record: { tag: 'connect', cgroup: '63', pid: 7, protocol: 'tcp', address: '::ffff:a00:7', port: 6379 } });
  assert.deepEqual(parseSensorLine(printf('connect', 63, 7, 'tcp', 'fd00::7', 6379)), { record: { tag: 'connect', cgroup: '63', pid: 7, protocol: 'tcp', address: 'fd00::7', port: 6379 } });
  assert.deepEqual(parseSensorLine(printf('listen', 63, 7, 'tcp', 80, '::')), { record: { tag: 'listen', cgroup: '63', pid: 7, protocol: 'tcp', port: 80, address: '::' } });
  assert.deepEqual(parseSensorLine(printf('dns', 63, 7, '\\x07example\\x07invalid\\x00\\x00\\x1c\\x00\\x01\\x00')), { record: { tag: 'dns', cgroup: '63', pid: 7, name: 'example.invalid' } });
  assert.deepEqual(parseSensorLine(printf('write', 63, 7, '/tmp/x')), { record: { tag: 'write', cgroup: '63', pid: 7, path: '/tmp/x' } });
  assert.deepEqual(parseSensorLine(printf('read', 63, 7, '/etc/shadow')), { record: { tag: 'read', cgroup: '63', pid: 7, path: '/etc/shadow' } });
  assert.deepEqual(parseSensorLine(printf('exit', 63, 7, 2)), { record: { tag: 'exit', cgroup: '63', pid: 7, code: 2 } });
});

test('the sensor\'s own signals: ready, ticks, lost events', () => {
  assert.deepEqual(parseSensorLine(printf('ready', 4026531836)), { ready: true });
  assert.deepEqual(parseSensorLine(JSON.stringify({ type: 'printf', data: 'tick\n' })), { tick: true });
  assert.deepEqual(parseSensorLine('{"type": "attached_probes", "data": {"probes": 18}}'), { tick: true });
  assert.deepEqual(parseSensorLine('{"type": "lost_events", "data": {"events": 17}}'), { lost: 17 });
  assert.deepEqual(parseSensorLine(''), { tick: true }, 'bpftrace ends its output with empty lines');
});

test('garbage is a reason, never an exception: truncated lines, invalid JSON, unknown records, wrong fields', () => {
  const full = printf('exec', 63, 22437, 22416, 0, '/usr/sbin/nginx', 'containerd-shim', 'nginx');
  for (const [line, reason] of [
    [full.slice(0, 40), 'not JSON (a truncated line?)'],
    ['[1,2]', 'unknown output type undefined'],
    ['42', 'not a JSON object'],
    ['{"type":"something"}', 'unknown output type "something"'],
    [printf('teleport', 1, 2), 'unknown record "teleport"'],
    [printf('exec', 63, 1), 'exec with 3 fields instead of 8'],
    [printf('syscall', 'x', 1, 2), 'syscall without a cgroup and pid'],
    [printf('syscall', 63, 1, 99999), 'unknown syscall number 99999'],
    [printf('capability', 63, 1, 99, 0), 'unknown capability 99'],
    [printf('dns', 63, 1, '\\x40garbage'), 'a DNS datagram without a question name'],
    [printf('connect', 63, 1, 'tcp', '', 80), 'connect without a peer'],
  ] as const) {
    assert.deepEqual(parseSensorLine(line), { garbage: reason }, line);
  }
});

test('DNS question names decode from the raw bytes, and nothing else passes for one', () => {
  assert.equal(decodeQuestion('\\x03www\\x07example\\x03com\\x00\\x00\\x01'), 'www.example.com');
  assert.equal(decodeQuestion('\\x05redis\\x00'), 'redis');
  assert.equal(decodeQuestion('\\x05red'), undefined, 'cut short');
  assert.equal(decodeQuestion('\\x00'), undefined, 'the root name is not a question worth keeping');
  assert.equal(decodeQuestion('\\x03a b\\x00'), undefined);
});

test('a record formatted as the sensor prints it reads back the same: every record of the lab recording', async () => {
  const { Replay } = await import('../../src/defender/index.ts');
  const { formatSensorLine } = await import('../../src/sensor/index.ts');
  const replay = Replay.read(new URL('../defender/recordings/shop.jsonl.gz', import.meta.url).pathname);
  const records = replay.entries.flatMap((e) => ('record' in e ? [e.record] : []));
  assert.ok(records.length > 400);
  assert.deepEqual(new Set(records.map((r) => r.tag)).size >= 8, true, 'most kinds of record are in it');
  // a dual-stack server's IPv4 peers are `::ffff:…` as the kernel gives them (on a host with IPv6 in its containers):
  // they read back as the IPv4 addresses they are
  const unmapped = (a: string) => a.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  const mapped = { tag: 'accept' as const, cgroup: '63', pid: 7, port: 8080, peer: '::ffff:172.18.0.1', peerPort: 35118 };
  assert.deepEqual(parseSensorLine(formatSensorLine(mapped)), { record: { ...mapped, peer: '172.18.0.1' } });
  for (const record of [...records, mapped]) {
    const expected = record.tag === 'accept' ? { ...record, peer: unmapped(record.peer) } : record.tag === 'connect' ? { ...record, address: unmapped(record.address) } : record;
    assert.deepEqual(parseSensorLine(formatSensorLine(record)), { record: expected });
  }
});

test('a line read without the JSON parser (bpftrace\'s own spacing) reads as the JSON parser reads it, whatever the fields hold', async () => {
  const fc = (await import('fast-check')).default;
  const field = fc.oneof(fc.string(), fc.constantFrom('"', '\\', '\\u001f', '\\n', 'a"b', '/tmp/x\\y', 'é', '\n'), fc.nat().map(String));
  const tag = fc.constantFrom('argv', 'exec', 'exit', 'listen', 'connect', 'accept', 'dns', 'write', 'read', 'syscall', 'capability', 'killed', 'tick', 'ready', 'other');
  fc.assert(fc.property(tag, fc.array(field, { maxLength: 8 }), (t, fields) => {
    const data = `${[t, ...fields].join('\x1f')}\n`;
    // as bpftrace writes it (the fast path when no field needs an escape), and as any JSON writer would (the parser)
    const bpftrace = `{"type": "printf", "data": ${JSON.stringify(data)}}`;
    assert.deepEqual(parseSensorLine(bpftrace), parseSensorLine(JSON.stringify({ type: 'printf', data })));
  }), { numRuns: 2000 });
});
