import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromFalco } from '../../src/sensor/index.ts';
import { convertAll, eventFixtures, GARBAGE } from './fixtures.ts';

const lines = eventFixtures('falco');

test('every Falco fixture line converts to a valid RuntimeEvent or is rejected with a reason', () => {
  const { events, rejected } = convertAll('falco', fromFalco);
  assert.ok(events.length >= 10, `${events.length} events`);
  assert.deepEqual([...rejected.keys()].sort(), [
    'a Falco metrics snapshot, not an event',
    'a Kubernetes audit event, not a container runtime event',
  ]);
});

test('what a Falco alert says becomes the event: container, process, network peer, file, and the rule', () => {
  const find = (rule: string, has: string) => lines.map((l) => l.json as { rule?: string }).find((j) => j.rule === rule && JSON.stringify(j).includes(has));
  const shell = fromFalco(find('Terminal shell in container', 'docker.io/library/alpine'));
  assert.ok('event' in shell);
  assert.deepEqual(shell.event.container, { id: 'ee97d9c4186f', image: 'docker.io/library/alpine', pod: 'kubecon', namespace: 'default' });
  assert.deepEqual([shell.event.kind, shell.event.process?.name, shell.event.process?.parent?.name, shell.event.alert?.priority], ['exec', 'sh', 'runc', 'Critical']);
  assert.equal(shell.event.time, '2023-05-25T13:44:05.478445995Z');

  const api = fromFalco(find('Contact K8S API Server From Container', '10.96.0.1'));
  assert.ok('event' in api);
  assert.deepEqual([api.event.kind, api.event.network], ['connect', { protocol: 'tcp', localAddress: '172.17.0.9', localPort: 43812, remoteAddress: '10.96.0.1', remotePort: 443 }]);
  assert.equal(api.event.container?.image, 'devopps/falco-pod-delete:latest');

  const shadow = fromFalco(find('Read sensitive file untrusted', '/etc/shadow'));
  assert.ok('event' in shadow);
  const history = fromFalco(find('Delete or rename shell history', 'zsh_history'));
  assert.ok('event' in history, 'the gRPC form');
  assert.deepEqual([history.event.kind, history.event.time, history.event.alert?.priority, history.event.file?.path], ['write', '2019-10-03T09:20:49.620298462Z', 'Warning', '/home/vagrant/.zsh_history.LOCK']);
  assert.deepEqual([shadow.event.kind, shadow.event.file, shadow.event.container, shadow.event.process?.path], ['open', { path: '/etc/shadow', operation: 'openat' }, undefined, '/usr/bin/cat']);
});

test('garbage never throws: every wrong shape is a rejection', () => {
  for (const input of [...GARBAGE, { output_fields: 3 }, { output_fields: {}, rule: 'r' }, { output_fields: { 'evt.time': 'soon' }, rule: 'r' }]) {
    const result = fromFalco(input);
    assert.ok('rejected' in result, JSON.stringify(input));
  }
});
