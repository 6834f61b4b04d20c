import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromTracee } from '../../src/sensor/index.ts';
import { convertAll, eventFixtures, GARBAGE } from './fixtures.ts';

test('every Tracee fixture line converts or is rejected with a reason', () => {
  const { events, rejected } = convertAll('tracee', fromTracee);
  assert.ok(events.length >= 60, `${events.length} events`);
  assert.deepEqual([...rejected.keys()].sort(), [
    'a TCP packet that opens no connection (only SYN packets are connections)',
    'a UDP packet: datagrams carry no connection; the socket events do',
    'an HTTP packet: the TCP connection carries the peer',
    'an ICMP packet, which no model dimension covers',
    'an IP packet: its transport events say more',
    'no wall-clock timestamp (a time since boot cannot be placed)',
    'vfs_read without a path',
  ]);
});

const one = (where: string) => {
  const result = fromTracee(eventFixtures('tracee').find((f) => f.where === where)!.json);
  assert.ok('event' in result, where);
  return result.event;
};

test('Tracee DNS packets give the names asked and the answers, in both output shapes', () => {
  const packet = one('main-events-builtin-network-events.jsonl:5');
  assert.deepEqual([packet.kind, packet.dns?.names, packet.network?.remotePort], ['dns', ['www.zip.net'], 53]);
  assert.ok(packet.dns?.answers?.includes('amazonas.uol.com.br'));
  const request = one('v0.23.2-events-builtin-network-net_packet_dns_request.jsonl:3');
  assert.deepEqual([request.dns?.names.length, request.network?.remoteAddress, request.network?.remotePort], [1, '1.1.1.1', 53]);
  const response = one('v0.23.2-events-builtin-network-net_packet_dns_response.jsonl:1');
  assert.deepEqual([response.dns?.names, response.dns?.answers?.slice(0, 2), response.network?.remotePort], [['www.zip.net'], ['amazonas.uol.com.br', '200.147.100.53'], 53]);
});

test('Tracee exec, opens and TCP opening packets become exec, open/write and connect/accept', () => {
  const opened = one('main-forensics.jsonl:1');
  assert.deepEqual([opened.kind, opened.file, opened.process?.name, opened.time], ['write', { path: '/tmp/testing.txt', operation: 'openat' }, 'bash', '2022-07-08T22:59:27.356749000Z']);
  const meminfo = one('main-policies-rules.jsonl:1');
  assert.deepEqual([meminfo.kind, meminfo.file?.path], ['open', '/proc/meminfo']);
  const exec = one('main-tutorials-k8s-policies.jsonl:1');
  assert.deepEqual([exec.kind, exec.process?.path, exec.process?.argv], ['exec', '/opt/cni/bin/bridge', ['/opt/cni/bin/bridge']]);
  const syn = one('v0.10.0-tracing-network-events.jsonl:15');
  assert.deepEqual([syn.kind, syn.network], ['connect', { protocol: 'tcp', localAddress: '10.157.254.1', localPort: 51594, remoteAddress: '10.157.254.193', remotePort: 8090 }]);
  const synAck = one('v0.10.0-tracing-network-events.jsonl:16');
  assert.deepEqual([synAck.kind, synAck.network?.localPort], ['accept', 8090]);
  const fileless = fromTracee(eventFixtures('tracee').map((f) => f.json).find((j) => JSON.stringify(j).includes('"fileless_execution"')));
  assert.ok('event' in fileless);
  assert.deepEqual([fileless.event.kind, fileless.event.alert?.rule, fileless.event.container?.image], ['exec', 'fileless_execution', 'docker.io/aquasec/tracee:latest']);
  const signature = one('main-events-custom-golang.jsonl:1');
  assert.deepEqual([signature.kind, signature.alert?.rule], ['alert', 'My Own Signature']);
});

test('garbage never throws: every wrong shape is a rejection', () => {
  for (const input of [...GARBAGE, { eventName: 'openat' }, { eventName: 'openat', timestamp: 1.5 }, { eventName: 'no_such_event', timestamp: 1700000000000000000 },
    { eventName: 'openat', timestamp: 1700000000000000000, args: 'x' }, { eventName: 'net_packet_tcp', timestamp: 1700000000000000000, args: [{ name: 'proto_tcp', value: 3 }] }]) {
    const result = fromTracee(input);
    assert.ok('rejected' in result, JSON.stringify(input));
  }
});
