import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreWriter } from '../../src/defender/writer.ts';
import type { Audit, Incident, IntentModel, RuntimeEvent, Supermodel } from '../../src/model/index.ts';
import type { DefenderStore, StoredContainer } from '../../src/store/index.ts';

type Kind = 'events' | 'audits' | 'incidents' | 'models' | 'container' | 'remove' | 'graphs' | 'status';

/** The store methods the writer calls: each call recorded, unless its kind is failing. */
class FakeStore {
  readonly calls: Array<[Kind, unknown]> = [];
  failing = new Set<Kind>();
  message = 'down';
  /** Called as a write arrives, before it succeeds or fails (to queue records while a write is under way). */
  during: (kind: Kind) => void = () => {};

  private async call(kind: Kind, value: unknown): Promise<void> {
    this.during(kind);
    await Promise.resolve();
    if (this.failing.has(kind)) throw new Error(this.message);
    this.calls.push([kind, value]);
  }

  fail(...kinds: Kind[]): void {
    this.failing = new Set(kinds);
  }

  /** What was written (empty event and audit writes are not made: none to leave out). */
  written(): Array<[Kind, unknown]> {
    return this.calls;
  }

  addEvents = (events: ReadonlyArray<{ event: RuntimeEvent; container?: string }>) => this.call('events', [...events]);
  addAudits = (audits: readonly Audit[]) => this.call('audits', [...audits]);
  putIncidents = (incidents: readonly Incident[]) => this.call('incidents', [...incidents]);
  putModels = (models: readonly IntentModel[]) => this.call('models', [...models]);
  putContainer = (container: StoredContainer) => this.call('container', container);
  removeContainer = (id: string) => this.call('remove', id);
  putSupermodels = (graphs: readonly Supermodel[]) => this.call('graphs', [...graphs]);
  putStatus = (key: string, value: unknown) => this.call('status', [key, value]);
}

const ALL: Kind[] = ['events', 'audits', 'incidents', 'models', 'container', 'remove', 'graphs', 'status'];
const event = (id: string) => ({ id }) as unknown as RuntimeEvent;
const audit = (id: string) => ({ id }) as unknown as Audit;
const incident = (id: string, v: number) => ({ id, v }) as unknown as Incident;
const model = (id: string, v: number) => ({ id, v }) as unknown as IntentModel;
const container = (id: string, name: string): StoredContainer => ({ id, name, image: 'nginx', imageId: 'sha256:1', running: true });

function setup(limits?: { events: number; audits: number }) {
  const store = new FakeStore();
  const lines: string[] = [];
  const writer = new StoreWriter(store as unknown as DefenderStore, (line) => lines.push(line), limits);
  return { store, lines, writer };
}

test('a flush writes events and audits in order, and the newest copy of each keyed record', async () => {
  const { store, writer } = setup();
  let version = 1;
  let snapshots = 0;
  writer.event(event('e1'), 'c1');
  writer.event(event('e2'));
  writer.audit(audit('a1'));
  writer.audit(audit('a2'));
  writer.incident(incident('i1', 1));
  writer.incident(incident('i2', 1));
  writer.incident(incident('i1', 2));
  writer.model('m1', () => (snapshots++, model('m1', version)));
  writer.container(container('c1', 'old'));
  writer.container(container('c1', 'new'));
  writer.container(container('c2', 'gone'));
  writer.removeContainer('c2');
  writer.removeContainer('c3');
  writer.container(container('c3', 'back'));
  writer.supermodels(() => [{ app: 'shop', v: version } as unknown as Supermodel]);
  writer.status('a', 1);
  writer.status('b', 2);
  writer.status('a', 3);
  assert.equal(writer.pending, 2 + 2 + 2 + 1 + 3 + 1 + 2);
  // the model's and the graphs' snapshots are taken at the flush, not when queued
  version = 7;
  assert.equal(snapshots, 0);
  await writer.flush();
  assert.equal(snapshots, 1);
  assert.deepEqual(store.calls, [
    ['events', [{ event: event('e1'), container: 'c1' }, { event: event('e2') }]],
    ['audits', [audit('a1'), audit('a2')]],
    ['incidents', [incident('i1', 2), incident('i2', 1)]],
    ['models', [model('m1', 7)]],
    ['container', container('c1', 'new')],
    ['remove', 'c2'],
    ['container', container('c3', 'back')],
    ['graphs', [{ app: 'shop', v: 7 }]],
    ['status', ['a', 3]],
    ['status', ['b', 2]],
  ]);
  assert.equal(writer.pending, 0);
  assert.deepEqual(writer.counts, { storeErrors: 0, storeDropped: 0 });
  // nothing waits: only the (empty) event and audit writes
  store.calls.length = 0;
  await writer.flush();
  assert.deepEqual(store.written(), []);
  assert.equal(snapshots, 1);
});

test('a failing store keeps everything for the next flush: nothing lost, order kept, newer copies win', async () => {
  const { store, lines, writer } = setup();
  let version = 1;
  writer.event(event('e1'));
  writer.event(event('e2'));
  writer.audit(audit('a1'));
  writer.incident(incident('i1', 1));
  writer.incident(incident('i2', 1));
  writer.model('m1', () => model('m1', version));
  writer.container(container('c1', 'first'));
  writer.supermodels(() => [{ app: 'shop', v: version } as unknown as Supermodel]);
  writer.status('s', 1);
  store.fail(...ALL);
  // records that come while a write is under way join the ones it fails to write, after them
  store.during = (kind) => {
    if (kind === 'events') writer.event(event('e3'));
    if (kind === 'incidents') writer.incident(incident('i1', 2));
    if (kind === 'status') writer.status('s', 2);
  };
  await writer.flush();
  assert.deepEqual(store.calls, []);
  assert.equal(writer.counts.storeErrors, 7);
  assert.equal(writer.counts.lastStoreError, 'status: down');
  assert.deepEqual(lines, ['events', 'audits', 'incidents', 'models', 'containers', 'graphs', 'status'].map((w) => `store: ${w}: down; kept for the next write`));
  assert.equal(writer.pending, 3 + 1 + 2 + 1 + 1 + 1 + 1);

  store.fail();
  store.during = () => {};
  version = 2;
  writer.event(event('e4'));
  writer.removeContainer('c1');
  await writer.flush();
  assert.deepEqual(store.calls, [
    ['events', ['e1', 'e2', 'e3', 'e4'].map((id) => ({ event: event(id) }))],
    ['audits', [audit('a1')]],
    ['incidents', [incident('i1', 2), incident('i2', 1)]],
    ['models', [model('m1', 2)]],
    ['remove', 'c1'],
    ['graphs', [{ app: 'shop', v: 2 }]],
    ['status', ['s', 2]],
  ]);
  assert.equal(writer.pending, 0);
  assert.equal(writer.counts.storeDropped, 0);
});

test('a failure is logged once while it repeats, and a new one is logged again', async () => {
  const { store, lines, writer } = setup();
  store.fail('events');
  for (let i = 0; i < 3; i++) {
    writer.event(event(`e${i}`));
    await writer.flush();
  }
  assert.deepEqual(lines, ['store: events: down; kept for the next write']);
  assert.equal(writer.counts.storeErrors, 3);
  assert.equal(writer.pending, 3);
  store.message = 'disk full';
  await writer.flush();
  assert.deepEqual(lines, ['store: events: down; kept for the next write', 'store: events: disk full; kept for the next write']);
  assert.deepEqual(writer.counts, { storeErrors: 4, storeDropped: 0, lastStoreError: 'events: disk full' });
});

test('past the limits the oldest events and audits go, counted', async () => {
  const { store, writer } = setup({ events: 3, audits: 2 });
  store.fail(...ALL);
  for (const id of ['e1', 'e2', 'e3', 'e4', 'e5']) writer.event(event(id));
  for (const id of ['a1', 'a2', 'a3']) writer.audit(audit(id));
  await writer.flush();
  assert.equal(writer.counts.storeDropped, 2 + 1);
  assert.equal(writer.pending, 3 + 2);
  writer.event(event('e6'));
  await writer.flush();
  assert.equal(writer.counts.storeDropped, 4);
  store.fail();
  await writer.flush();
  assert.deepEqual(store.calls, [
    ['events', ['e4', 'e5', 'e6'].map((id) => ({ event: event(id) }))],
    ['audits', [audit('a2'), audit('a3')]],
  ]);
  assert.deepEqual([writer.pending, writer.counts.storeDropped], [0, 4]);
});

test('a flush never throws: a snapshot that throws is a failed write, kept for the next one', async () => {
  const { store, lines, writer } = setup();
  let broken = true;
  writer.model('m1', () => {
    if (broken) throw new Error('half built');
    return model('m1', 1);
  });
  writer.supermodels(() => {
    if (broken) throw new Error('no graph');
    return [];
  });
  await writer.flush();
  assert.deepEqual(lines, ['store: models: half built; kept for the next write', 'store: graphs: no graph; kept for the next write']);
  assert.deepEqual([writer.counts.storeErrors, writer.pending], [2, 2]);
  broken = false;
  await writer.flush();
  assert.deepEqual(store.written(), [['models', [model('m1', 1)]], ['graphs', []]]);
  assert.equal(writer.pending, 0);
});

test('a store down for a while: each kind of write said once while it fails, and once when it is written again; nothing written that is empty', async () => {
  const { store, lines, writer } = setup();
  store.fail(...ALL);
  writer.event(event('e1'));
  for (let i = 0; i < 3; i++) await writer.flush();
  assert.deepEqual(lines, ['store: events: down; kept for the next write']);
  assert.equal(writer.counts.storeErrors, 3, 'three event writes refused; no empty audit write was made');
  store.fail();
  await writer.flush();
  assert.deepEqual(lines.slice(1), ['store: events written again']);
  assert.deepEqual(store.calls, [['events', [{ event: event('e1') }]]]);
  store.fail('events');
  writer.event(event('e2'));
  await writer.flush();
  assert.equal(lines.at(-1), 'store: events: down; kept for the next write', 'a failure that comes back is said again');
});
