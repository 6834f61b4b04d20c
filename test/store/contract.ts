// The store contract: every implementation (SQLite, PostgreSQL) passes the same suite.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyModel, type Audit, type Incident, type IntentModel, type RuntimeEvent } from '../../src/model/index.ts';
import type { Store } from '../../src/store/index.ts';

export interface ContractTarget {
  /** A new, empty store. */
  open(): Promise<Store>;
  /** The schema version before the console's own tables: what is written before it survives a migration down to it and up again. */
  beforeConsole: number;
  latest: number;
}

const time = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const event = (i: number, kind: 'syscall' | 'exec' = 'syscall'): RuntimeEvent => ({ kind, time: time(i), source: 'tenet', container: { id: `c${i % 3}` }, syscall: `s${i}` });
const audit = (i: number, fields: Partial<Audit> = {}): Audit => ({
  id: `a${i}`, time: time(i), rule: i % 2 === 0 ? 'drift' : 'unexpected-process', severity: i % 2 === 0 ? 'critical' : 'high', message: `m${i}`,
  container: { id: `c${i % 3}` }, model: 'sha256:a', event: event(i), ...fields,
});
const incident = (i: number, fields: Partial<Incident> = {}): Incident => ({
  id: `i${i}`, pattern: 'reverse-shell', title: 'Reverse shell', severity: 'critical', container: { id: `c${i % 2}` }, firstSeen: time(i), lastSeen: time(i),
  timeline: [{ audit: `a${i}`, time: time(i), lastTime: time(i), rule: 'reverse-shell', severity: 'critical', message: 'm', count: 1 }], count: 1, ...fields,
});
const model = (id: string, fields: Partial<IntentModel> = {}): IntentModel => ({ ...emptyModel(id), ...fields });

/** Hostile filter values: quotes, comments, wildcards, escapes. */
const HOSTILE = ["' OR '1'='1", "x'; DROP TABLE audits; --", '%', '_', '\\', '*', 'a\u0000b', '$1', '?'];

/** Every page of a listing, following `next`, with the keys seen. */
async function all<T, K>(page: (next?: K) => Promise<{ items: T[]; next?: K }>): Promise<T[]> {
  const items: T[] = [];
  let next: K | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const listing = await page(next);
    items.push(...listing.items);
    if (listing.next === undefined) return items;
    next = listing.next;
  }
  throw new Error('the listing never ended');
}

export function storeContract(name: string, target: () => ContractTarget): void {
  const withStore = (title: string, body: (store: Store) => Promise<void>): void => {
    test(`${name}: ${title}`, async () => {
      const store = await target().open();
      try {
        await body(store);
      } finally {
        await store.close();
      }
    });
  };

  withStore('models are replaced by id, filtered by image, repository, namespace and state, and paged by id', async (store) => {
    await store.putModels([
      model('sha256:3', { image: 'nginx:1.27', state: 'active' }),
      model('sha256:1', { image: 'registry.example:5000/shop/web@sha256:1', workload: { kind: 'Deployment', namespace: 'shop', name: 'web', container: 'web', sources: [] } }),
      model('sha256:2', { image: 'nginx:1.26' }),
    ]);
    await store.putModels([model('sha256:2', { image: 'nginx:1.26', state: 'learning' })]);
    assert.deepEqual((await store.models()).map((m) => [m.id, m.state]), [['sha256:1', 'static'], ['sha256:2', 'learning'], ['sha256:3', 'active']]);
    assert.deepEqual((await store.queryModels({ image: 'nginx' })).items.map((m) => m.id), ['sha256:2', 'sha256:3'], 'a repository matches every tag');
    assert.deepEqual((await store.queryModels({ image: 'nginx:1.27' })).items.map((m) => m.id), ['sha256:3']);
    assert.deepEqual((await store.queryModels({ image: 'registry.example:5000/shop/web' })).items.map((m) => m.id), ['sha256:1']);
    assert.deepEqual((await store.queryModels({ namespace: 'shop' })).items.map((m) => m.id), ['sha256:1']);
    assert.deepEqual((await store.queryModels({ state: 'active' })).items.map((m) => m.id), ['sha256:3']);
    const first = await store.queryModels({ limit: 2 });
    assert.deepEqual(first, { items: [await store.model('sha256:1'), await store.model('sha256:2')], next: 'sha256:2' });
    assert.deepEqual((await store.queryModels({ limit: 2, after: first.next! })).items.map((m) => m.id), ['sha256:3']);
    assert.equal((await store.queryModels({ limit: 2, after: first.next! })).next, undefined);
    assert.equal(await store.model('sha256:9'), undefined);
  });

  withStore('audits are stored once by id, newest first, filtered, and paged without gaps or repeats', async (store) => {
    await store.addAudits(Array.from({ length: 25 }, (_, i) => audit(i)));
    await store.addAudits([audit(3, { message: 'sent again' })]);
    const pages = await all((before?: number) => store.queryAudits({ limit: 7, ...(before !== undefined && { before }) }));
    assert.deepEqual(pages.map((a) => a.id), Array.from({ length: 25 }, (_, i) => `a${24 - i}`));
    assert.equal(pages.find((a) => a.id === 'a3')?.message, 'm3', 'the first copy stays');
    assert.deepEqual((await store.queryAudits({ rule: 'drift', container: 'c0', limit: 100 })).items.map((a) => a.id), ['a24', 'a18', 'a12', 'a6', 'a0']);
    assert.deepEqual((await store.queryAudits({ severity: 'high', since: time(20), until: time(24) })).items.map((a) => a.id), ['a23', 'a21']);
    assert.deepEqual((await store.queryAudits({ model: 'sha256:b' })).items, []);
    assert.deepEqual((await store.audits({ limit: 2 })).map((a) => a.id), ['a23', 'a24'], 'the newest, oldest first');
  });

  withStore('events of a numbering source are stored once, however often they come; plain events each; filters and pages', async (store) => {
    const from = (source: string, seqs: number[]) => store.addEventsFrom(source, seqs.map((i) => ({ seq: i + 1, event: event(i, i % 2 === 0 ? 'exec' : 'syscall'), container: `c${i % 3}` })));
    await from('d1/e1', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await from('d1/e1', [5, 6, 7, 8, 9]);
    await from('d1/e1', [8, 9]);
    await from('d2/e1', [0]);
    await store.addEvents([{ event: event(10) }, { event: event(10) }]);
    const events = await all((before?: number) => store.queryEvents({ limit: 4, ...(before !== undefined && { before }) }));
    assert.deepEqual(events.map((e) => e.syscall), ['s10', 's10', 's0', 's9', 's8', 's7', 's6', 's5', 's4', 's3', 's2', 's1', 's0'], 'another source numbers anew; plain events are each kept');
    assert.deepEqual((await store.queryEvents({ kind: 'exec', container: 'c0' })).items.map((e) => e.syscall), ['s0', 's6', 's0']);
  });

  withStore('incidents are replaced by id, listed newest first, and found by id', async (store) => {
    await store.putIncidents([incident(1), incident(2), incident(3)]);
    await store.putIncidents([incident(1, { count: 5, lastSeen: time(9), severity: 'high' })]);
    assert.deepEqual((await store.queryIncidents({})).items.map((i) => [i.id, i.count]), [['i3', 1], ['i2', 1], ['i1', 5]]);
    assert.deepEqual((await store.queryIncidents({ severity: 'high' })).items.map((i) => i.id), ['i1']);
    assert.deepEqual((await store.queryIncidents({ container: 'c0', pattern: 'reverse-shell' })).items.map((i) => i.id), ['i2']);
    const page = await store.queryIncidents({ limit: 2 });
    assert.deepEqual((await store.queryIncidents({ limit: 2, before: page.next! })).items.map((i) => i.id), ['i1']);
    assert.equal((await store.incident('i1'))?.count, 5);
    assert.equal(await store.incident('nope'), undefined);
    // an incident found to be part of another is removed
    await store.putIncidents([incident(1, { count: 6 }), { ...incident(2), mergedInto: 'i1' }]);
    assert.deepEqual((await store.queryIncidents({})).items.map((i) => [i.id, i.count]), [['i3', 1], ['i1', 6]]);
    assert.equal(await store.incident('i2'), undefined);
  });

  withStore('containers, modes, suppressions, supermodels, status, feeds and commands', async (store) => {
    await store.putContainer({ id: 'c1', name: 'web', image: 'nginx', imageId: 'sha256:a', running: true, model: 'sha256:a' });
    await store.putContainer({ id: 'c2', name: 'old', image: 'nginx', imageId: 'sha256:a', running: false });
    assert.deepEqual((await store.containers()).map((c) => c.id), ['c1', 'c2']);
    await store.removeContainer('c2');
    assert.deepEqual((await store.containers()).map((c) => c.id), ['c1']);

    await store.putMode({ scope: { kind: 'image', value: 'nginx' }, dimension: 'processes', mode: 'prevent', setAt: time(1) });
    await store.putMode({ scope: { kind: 'image', value: 'nginx' }, dimension: 'processes', mode: 'alert', setAt: time(2) });
    assert.deepEqual((await store.modes()).map((m) => m.mode), ['alert']);
    assert.equal(await store.removeMode({ scope: { kind: 'image', value: 'nginx' }, dimension: 'processes' }), true);
    assert.equal(await store.removeMode({ scope: { kind: 'all' } }), false);

    await store.putSuppression({ id: 's1', rule: 'drift', reason: 'known updater', createdAt: time(1) });
    assert.deepEqual((await store.suppressions()).map((s) => s.id), ['s1']);
    assert.equal(await store.removeSuppression('s1'), true);
    assert.equal(await store.removeSuppression('s1'), false);

    const graph = { apiVersion: 'tenet/v1' as const, kind: 'Supermodel' as const, app: 'shop', nodes: [{ id: 'shop/web', models: [] }], edges: [] };
    await store.putSupermodels([graph]);
    await store.putSupermodels([{ ...graph, nodes: [...graph.nodes, { id: 'shop/api', models: [] }] }]);
    assert.deepEqual((await store.supermodels()).map((s) => s.nodes.length), [2]);

    await store.putStatus('defender', { running: true });
    assert.deepEqual((await store.status('defender'))?.value, { running: true });
    assert.equal(await store.status('nope'), undefined);

    await store.putFeed({ name: 'feodo', source: 'feodo.csv', format: 'feodo-csv', loadedAt: time(1), notes: [], indicators: [{ kind: 'ip', value: '192.0.2.1', provenance: { feed: 'feodo', format: 'feodo-csv' } }] });
    assert.deepEqual((await store.feeds()).map((f) => [f.name, f.count]), [['feodo', 1]]);
    assert.deepEqual((await store.feedIndicators()).map((i) => i.value), ['192.0.2.1']);
    assert.equal(await store.removeFeed('feodo'), true);

    await store.enqueueCommand({ action: 'relearn', model: 'sha256:a' });
    await store.enqueueCommand({ action: 'extend', model: 'sha256:a', seconds: 60 });
    assert.deepEqual(await store.takeCommands(), [{ action: 'relearn', model: 'sha256:a' }, { action: 'extend', model: 'sha256:a', seconds: 60 }]);
    assert.deepEqual(await store.takeCommands(), [], 'a command is taken once');
    await store.enqueueCommand({ action: 'relearn', model: 'sha256:b' });
    await store.enqueueCommand({ action: 'relearn', model: 'sha256:c' });
    const queued = await store.commandsSince(0);
    assert.deepEqual(queued.map((q) => q.command.model), ['sha256:b', 'sha256:c']);
    assert.deepEqual((await store.commandsSince(queued[0]!.seq)).map((q) => q.command.model), ['sha256:c'], 'each defender reads on from where it is');
    assert.equal((await store.commandsSince(0)).length, 2, 'reading takes nothing');
  });

  withStore('users, tokens, sessions, defenders and the change log', async (store) => {
    await store.putUser({ name: 'alice', role: 'operator', passwordHash: 'h1', createdAt: time(1) });
    await store.putUser({ name: 'alice', role: 'admin', passwordHash: 'h2', createdAt: time(1) });
    await store.putUser({ name: 'bob', role: 'auditor', passwordHash: 'h3', createdAt: time(2) });
    assert.deepEqual((await store.users()).map((u) => [u.name, u.role]), [['alice', 'admin'], ['bob', 'auditor']]);
    assert.equal((await store.user('alice'))?.passwordHash, 'h2');

    await store.putToken({ id: 't1', name: 'ci', user: 'bob', role: 'auditor', hash: 'x1', createdAt: time(3) });
    await store.putToken({ id: 't2', name: 'enroll', user: 'alice', role: 'defender', hash: 'x2', createdAt: time(4), enroll: true });
    assert.equal((await store.tokenByHash('x1'))?.id, 't1');
    assert.equal(await store.tokenByHash('x3'), undefined);
    assert.deepEqual((await store.tokens()).map((t) => t.id), ['t1', 't2']);
    assert.equal(await store.removeToken('t2'), true);

    await store.putSession({ id: 'sess1', user: 'bob', csrf: 'c', createdAt: time(1), expiresAt: time(10) });
    assert.equal((await store.session('sess1', time(5)))?.user, 'bob');
    assert.equal(await store.session('sess1', time(10)), undefined, 'an expired session is gone');

    await store.putSession({ id: 'sess2', user: 'bob', csrf: 'c', createdAt: time(1), expiresAt: time(99) });
    assert.equal(await store.removeUser('bob'), true);
    assert.equal(await store.tokenByHash('x1'), undefined, 'a removed user\'s tokens go with them');
    assert.equal(await store.session('sess2', time(5)), undefined, 'and their sessions');

    await store.putDefender({ id: 'd1', name: 'node-1', hostname: 'node-1', version: '0.1.0', enrolledAt: time(1), lastSeen: time(1) });
    await store.putDefender({ id: 'd1', name: 'node-1', hostname: 'node-1', version: '0.1.0', enrolledAt: time(1), lastSeen: time(7) });
    assert.deepEqual((await store.defenders()).map((d) => d.lastSeen), [time(7)]);

    for (let i = 0; i < 5; i++) await store.addChange({ time: time(i), actor: 'alice', action: 'mode.set', target: `image:nginx${i}`, detail: { i } });
    const changes = await all((before?: number) => store.changes({ limit: 2, ...(before !== undefined && { before }) }));
    assert.deepEqual(changes.map((c) => c.target), ['image:nginx4', 'image:nginx3', 'image:nginx2', 'image:nginx1', 'image:nginx0']);
    assert.deepEqual(changes[0]!.detail, { i: 4 });
  });

  withStore('hostile filter values find nothing and change nothing', async (store) => {
    await store.putModels([model('sha256:1', { image: 'nginx:1' })]);
    await store.addAudits([audit(1), audit(2)]);
    await store.putIncidents([incident(1)]);
    for (const value of HOSTILE) {
      assert.deepEqual((await store.queryModels({ image: value, namespace: value, state: value, after: value })).items, [], value);
      assert.deepEqual((await store.queryAudits({ rule: value, container: value, model: value, severity: value, since: value })).items, [], value);
      assert.deepEqual((await store.queryIncidents({ pattern: value, container: value })).items, [], value);
      assert.deepEqual((await store.queryEvents({ kind: value })).items, [], value);
      assert.equal(await store.model(value), undefined);
      assert.equal(await store.user(value), undefined);
      assert.equal(await store.tokenByHash(value), undefined);
    }
    assert.deepEqual((await store.models()).map((m) => m.id), ['sha256:1']);
    assert.deepEqual((await store.queryAudits({})).items.map((a) => a.id), ['a2', 'a1']);
    assert.deepEqual((await store.queryIncidents({})).items.map((i) => i.id), ['i1']);
  });

  withStore('images read once are kept by image id, their model checked when read back', async (store) => {
    assert.equal(await store.image('sha256:nope'), undefined);
    const seed = model('sha256:img', { image: 'nginx:1' });
    await store.putImage({ id: 'sha256:img', readAt: time(1), model: seed, executables: ['/usr/sbin/nginx', '/bin/sh', '/bin/dash'] });
    await store.putImage({ id: 'sha256:empty', readAt: time(2), executables: [] });
    assert.deepEqual(await store.image('sha256:img'), { id: 'sha256:img', readAt: time(1), model: seed, executables: ['/usr/sbin/nginx', '/bin/sh', '/bin/dash'] });
    await store.putImage({ id: 'sha256:img', readAt: time(3), model: seed, executables: ['/usr/sbin/nginx'] });
    assert.deepEqual((await store.image('sha256:img'))?.executables, ['/usr/sbin/nginx'], 'read again: replaced');
    assert.deepEqual(await store.image('sha256:empty'), { id: 'sha256:empty', readAt: time(2), executables: [] });
  });

  withStore('migrations go down and up again; what came before the console\'s tables survives', async (store) => {
    const { beforeConsole, latest } = target();
    assert.equal(await store.schemaVersion(), latest);
    await store.putModels([model('sha256:1', { image: 'nginx:1', state: 'active' })]);
    await store.addAudits([audit(1)]);
    await store.putIncidents([incident(1)]);
    await store.putUser({ name: 'alice', role: 'admin', passwordHash: 'h', createdAt: time(1) });
    await store.migrateTo(beforeConsole);
    assert.equal(await store.schemaVersion(), beforeConsole);
    await store.migrateTo(latest);
    assert.deepEqual((await store.queryModels({ image: 'nginx' })).items.map((m) => m.id), ['sha256:1'], 'the columns are filled again from the bodies');
    assert.deepEqual((await store.queryAudits({ severity: 'high' })).items.map((a) => a.id), ['a1']);
    assert.deepEqual((await store.queryIncidents({ severity: 'critical' })).items.map((i) => i.id), ['i1']);
    assert.equal(await store.user('alice'), undefined, 'the console\'s tables went with the way down');
    await store.migrateTo(0);
    assert.equal(await store.schemaVersion(), 0);
    await store.migrateTo(latest);
    assert.deepEqual(await store.models(), []);
    await assert.rejects(store.migrateTo(latest + 1), /no schema version/);
  });
}
