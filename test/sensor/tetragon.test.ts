import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromTetragon } from '../../src/sensor/index.ts';
import { convertAll, eventFixtures, GARBAGE } from './fixtures.ts';

test('every Tetragon fixture (JSON lines and pretty-printed exports) converts or is rejected with a reason', () => {
  const { events, rejected } = convertAll('tetragon', fromTetragon);
  assert.ok(events.length >= 40, `${events.length} events`);
  assert.deepEqual([...rejected.keys()], ['a connection closing: its process_connect carries the peer']);
  const kinds = new Set(events.map((e) => e.event.kind));
  for (const kind of ['exec', 'exit', 'connect', 'listen', 'open', 'write', 'syscall', 'alert']) assert.ok(kinds.has(kind as never), kind);
});

test('a Tetragon exec keeps the pod, the container id without its runtime prefix, the image digest and the argv', () => {
  const exec = fromTetragon(eventFixtures('tetragon').find((f) => f.where === 'testdata-events.jsonl:1')!.json);
  assert.ok('event' in exec);
  assert.deepEqual(exec.event.container, {
    id: '19a02291e106ce6227b684197be232ea57c4e1a5ab2604a12608c325d701c7f4', name: 'spaceship', image: 'docker.io/tgraf/netperf:latest',
    imageDigest: 'sha256:8e86f744bfea165fd4ce68caa05abc96500f40130b857773186401926af7e9e6', pod: 'tiefighter', namespace: 'default',
  });
  assert.deepEqual(exec.event.process?.argv, ['/usr/bin/netserver', '-D']);
  assert.equal(exec.event.process?.parent?.path, '/usr/bin/containerd-shim-runc-v2');
  assert.equal(exec.event.time, '2022-10-18T03:16:18.273546829Z', 'the process start when the line has no time');

  const sh = fromTetragon(eventFixtures('tetragon').find((f) => f.where.endsWith('merlin-agent-sh.json'))!.json);
  assert.ok('event' in sh);
  assert.deepEqual(sh.event.process?.argv, ['/bin/sh', '-c', '7z a s3nsitiv3.7z ../ops_bank_accounts/'], 'quoted arguments stay one word');
  assert.deepEqual(sh.event.container, { id: 'a51959123c3ba99a9f50a700' }, 'a plain Docker container: the short id Tetragon prints');
});

test('Tetragon connect, listen and file kprobes give the peer, the port and the path', () => {
  const one = (suffix: string) => {
    const result = fromTetragon(eventFixtures('tetragon').find((f) => f.where.endsWith(suffix))!.json);
    assert.ok('event' in result, suffix);
    return result.event;
  };
  assert.deepEqual(one('nc_process_connect.json').network, { protocol: 'tcp', localAddress: '10.88.0.6', localPort: 48416, remoteAddress: '64.225.45.153', remotePort: 443 });
  assert.deepEqual(one('process_listen.json').network, { protocol: 'tcp', localAddress: '0.0.0.0', localPort: 9080 });
  const written = one('four_golden_signals__process_kprobe.json');
  assert.deepEqual([written.kind, written.file, written.syscall], ['write', { path: '/etc/passwd', operation: '__x64_sys_write' }, 'write']);
  const read = one('cat_process_kprobe.json');
  assert.deepEqual([read.kind, read.file?.path], ['open', '/usr/share/elasticsearch/config/elasticsearch.keystore']);
  const vi = one('filename-access.jsonl:1');
  assert.deepEqual([vi.kind, vi.file?.path, vi.alert?.rule], ['write', '/etc/passwd', 'file-monitoring'], 'security_file_permission with MAY_WRITE');
  const setuid = one('credentials-syscalls-monitoring.jsonl:2');
  assert.deepEqual([setuid.kind, setuid.syscall], ['syscall', 'setuid']);
  const module = one('kernel-modules.jsonl:2');
  assert.deepEqual([module.kind, module.alert?.rule], ['alert', 'process_kprobe:do_init_module']);
});

test('garbage never throws: every wrong shape is a rejection', () => {
  for (const input of [...GARBAGE, { process_exec: 1 }, { process_exec: { process: {} } }, { process_foo: { process: {} }, time: '2024-01-01T00:00:00Z' },
    { process_connect: { process: { binary: '/x' } }, time: '2024-01-01T00:00:00Z' }, { process_exit: { process: {} }, time: 'later' }]) {
    const result = fromTetragon(input);
    assert.ok('rejected' in result, JSON.stringify(input));
  }
});
