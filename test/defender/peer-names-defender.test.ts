// A defender names the peers its containers connect to from the answers to
// the names they asked: a recording (made by hand) of a pod asking its
// Service's name, connecting to the ClusterIP, the Service recreated with a
// new ClusterIP, then a connection to an address no name has.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Replay } from '../../src/defender/index.ts';
import type { ContainerInfo } from '../../src/runtime/index.ts';
import type { SensorRecord } from '../../src/sensor/index.ts';
import { replayed } from './harness.ts';

const START = Date.parse('2026-12-01T10:00:00Z');
const API = 'api.shop.svc.cluster.local';
const SERVERS = ['10.96.0.10'];
const client: ContainerInfo = {
  id: 'web-1', name: 'web', image: 'shop/web:1', imageId: 'sha256:web', labels: {}, pid: 10, running: true, cgroupId: '70',
  namespace: 'shop', pod: 'web-6d9f8b7c5-x7k2p', app: 'shop', workload: 'web',
};
const connect = (address: string): SensorRecord => ({ tag: 'connect', cgroup: '70', pid: 11, protocol: 'tcp', address, port: 80 });

function recording(): Replay {
  const lines: unknown[] = [
    { recording: 'tenet', version: 1, start: START, learnForSec: 5 },
    { t: 0, running: [client] },
    { t: 0, host: 'resolver', args: [10], answer: { servers: SERVERS, search: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'] } },
    // the defender's answers, in the order it got them: the ClusterIP, then the Service's new one
    { t: 100, resolved: { servers: SERVERS, name: API, answer: { addresses: ['10.96.7.7'], ttlSec: 5 } } },
    { t: 9_000, resolved: { servers: SERVERS, name: API, answer: { addresses: ['10.96.8.8'], ttlSec: 5 } } },
    // the query and the connection come together: the connection waits for the defender's answer
    { t: 100, record: { tag: 'dns', cgroup: '70', pid: 11, name: API } },
    { t: 100, record: connect('10.96.7.7') },
    ...Array.from({ length: 16 }, (_, i) => ({ t: 1_000 + i * 500, record: connect('10.96.7.7') })),
    { t: 9_000, record: connect('10.96.8.8') },
    { t: 9_100, record: connect('10.96.9.9') },
    { t: 10_000, record: connect('10.96.8.8') },
  ].sort((a, b) => ((a as { t?: number }).t ?? -1) - ((b as { t?: number }).t ?? -1));
  return Replay.parse(lines.map((l) => JSON.stringify(l)).join('\n'));
}

test('a connection to a Service is learned by the name asked, not the ClusterIP; the Service recreated is still known; an address no name has is a deviation by its address', async () => {
  const h = replayed({ replay: recording() });
  try {
    await h.defender.start();
    await h.replay.play();
    await h.defender.stop();
    const model = (await h.store.models()).find((m) => m.id === 'shop/sha256:web')!;
    assert.equal(model.state, 'active');
    assert.deepEqual(model.network.egress.map((e) => `${e.protocol}/${e.host}:${e.port}`), [`tcp/${API}:80`], 'the name, never the ClusterIP');
    const egress = h.audits.filter((a) => a.lacked?.dimension === 'egress');
    assert.deepEqual(egress.map((a) => a.lacked?.entry), ['tcp/10.96.9.9:80'], 'the new ClusterIP is the name\'s; the other address is reported');
  } finally {
    await h.close();
  }
});
