import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Reconciler } from '../../src/defender/reconcile.ts';
import { tracked, type Tracked } from '../../src/defender/tracking.ts';
import { dryEnforcers } from '../../src/enforce/index.ts';
import type { ModelLearner } from '../../src/learn/index.ts';
import { emptyModel, type Mode, type ModelDimension, type RuntimeEvent } from '../../src/model/index.ts';
import type { ContainerInfo } from '../../src/runtime/index.ts';

const learned = [{ kind: 'learned' as const }];

/** A model at the seam: its state, and the peers it learned. */
function model(id: string, state: 'learning' | 'active', egress: Array<{ host: string; port: number }>): ModelLearner {
  const snapshot = () => {
    const m = emptyModel(id);
    m.network.egress.push(...egress.map((e) => ({ ...e, protocol: 'tcp' as const, sources: learned })));
    return m;
  };
  return { id, state, entries: (d: ModelDimension) => (d === 'egress' ? egress.map((e) => `tcp/${e.host}:${e.port}`) : []), snapshot } as unknown as ModelLearner;
}

const container = (id: string, pod?: string): ContainerInfo => ({
  id, name: id, image: 'x', imageId: `sha256:${id}`, labels: {}, pid: 100, running: true, ...(pod !== undefined && { pod, namespace: 'shop' }),
});

const connect = (port: number): RuntimeEvent => ({ kind: 'connect', time: '2026-01-01T00:00:00.000Z', source: 'tenet', network: { protocol: 'tcp', remoteAddress: '10.0.0.9', remotePort: port } });

test('the containers of a pod share one network table: the union of their models, held under the pod, answered for each; none while one of them still learns', () => {
  const enforcers = dryEnforcers();
  const reconciler = new Reconciler(enforcers, () => {});
  const app = tracked(container('app', 'web-1'), model('m-app', 'active', [{ host: '10.0.0.5', port: 5432 }]));
  const sidecar = tracked(container('sidecar', 'web-1'), model('m-sidecar', 'active', [{ host: '10.0.0.7', port: 9411 }]));
  const alone = tracked(container('alone'), model('m-alone', 'active', [{ host: '10.0.0.5', port: 5432 }]));
  // egress prevented for the app only; the sidecar is in alert
  const modes = new Map<string, Mode>([['app', 'prevent'], ['alone', 'prevent']]);
  const inputs = { modeOf: (t: Tracked, d: ModelDimension) => (d === 'egress' ? modes.get(t.info.id) ?? 'alert' : 'alert'), peersOf: () => [], addresses: () => new Map() };
  reconciler.reconcile([app, sidecar, alone], inputs);
  assert.deepEqual([...enforcers.network.desired.keys()].sort(), ['alone', 'pod:shop/web-1']);
  const table = enforcers.network.desired.get('pod:shop/web-1')!.target();
  assert.match(table.text, /10\.0\.0\.5/);
  assert.match(table.text, /10\.0\.0\.7/, 'the sidecar\'s peer passes: it shares the table');
  assert.equal(enforcers.network.desired.get('pod:shop/web-1')!.container.id, 'pod:shop/web-1');
  // an activity of either container is answered by the pod's table
  const taken = (id: string) => {
    const stop = reconciler.stops(id, 'egress', connect(6379));
    return typeof stop === 'object' ? stop.taken : stop;
  };
  assert.equal(taken('sidecar'), 'connection-dropped');
  assert.equal(taken('app'), 'connection-dropped');

  // a third container of the pod still learning: no table for the pod until it is active
  const learning = tracked(container('init', 'web-1'), model('m-init', 'learning', []));
  reconciler.reconcile([app, sidecar, learning, alone], inputs);
  assert.deepEqual([...enforcers.network.desired.keys()], ['alone']);
});

test('a pod\'s table is forgotten once its last container stopped, not before', () => {
  const forgotten: string[] = [];
  const enforcers = dryEnforcers();
  enforcers.network.forget = (id: string) => void forgotten.push(id);
  const reconciler = new Reconciler(enforcers, () => {});
  const a = tracked(container('a', 'web-1'), model('m', 'active', []));
  const b = tracked(container('b', 'web-1'), model('m', 'active', []));
  reconciler.reconcile([a, b], { modeOf: () => 'prevent', peersOf: () => [], addresses: () => new Map() });
  reconciler.forget('a', [a, b]);
  assert.deepEqual(forgotten, []);
  reconciler.forget('b', [b]);
  assert.deepEqual(forgotten, ['pod:shop/web-1']);
});
