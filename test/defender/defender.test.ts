// The defender in-process, without root or Docker: a recording made in the lab
// (the shop learned under load, then attacked; npm run lab:record) replayed
// through a real Defender over a real SQLite store.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Replay, StepError } from '../../src/defender/index.ts';
import type { Audit, ModeSetting, Proposal, RuntimeEvent } from '../../src/model/index.ts';
import type { ContainerInfo } from '../../src/runtime/index.ts';
import type { EventSource } from '../../src/sensor/index.ts';
import type { DefenderStore } from '../../src/store/index.ts';
import { tenet } from '../run-cli.ts';
import { replayed, SHOP_RECORDING, type Replayed } from './harness.ts';

/** The audits the live defender stored while it was recorded. */
const LIVE: Audit[] = JSON.parse(readFileSync(fileURLToPath(new URL('./recordings/shop.audits.json', import.meta.url)), 'utf8')) as Audit[];
const WEB = 'shop-web-1';
const API = 'shop-api-1';
const WORKER = 'shop-worker-1';

/** Audits as a comparable list: without their ids, in a fixed order. */
const comparable = (audits: readonly Audit[]) => audits.map(({ id: _, ...a }) => JSON.stringify(a, Object.keys(a).sort())).sort();
/**
 * The audits said one by one: the recording's live audits were stored before the rate limit folded what it held
 * back into one audit, so those folded audits are checked apart (`foldedOf`).
 */
const said = (audits: readonly Audit[]) => audits.filter((a) => a.folded === undefined);
const foldedOf = (audits: readonly Audit[]) => audits.filter((a) => a.folded !== undefined).map((a) => `${a.container.name} ${a.rule} ${a.folded!.count}: ${a.folded!.values.join(' ')}`);
const rules = (audits: readonly Audit[], container: string) => audits.filter((a) => a.container.name === container).map((a) => a.rule);

async function played(h: Replayed): Promise<void> {
  await h.defender.start();
  await h.replay.play();
}

test('the shop under load, then attacked, replayed through a real defender: tracked, learned to active, each attack its audits and its incident, exactly as live', async () => {
  const h = replayed();
  try {
    await played(h);
    const status = h.defender.status();
    assert.deepEqual(status.steps, ['store', 'peer names', 'sensors', 'containers', 'models', 'enforcement', 'images', 'streams', 'tick']);
    await h.defender.stop();

    // tracking: every container of the recording, running, under its image's model
    const containers = await h.store.containers();
    assert.deepEqual(containers.map((c) => [c.name, c.running]).sort(), [[API, true], ['shop-c2', true], ['shop-pool', true], ['shop-redis-1', true], [WEB, true], [WORKER, true]]);
    // learning: each image's model learned for the window, then active, seeded from its image read in the background
    const models = await h.store.models();
    assert.deepEqual(models.map((m) => [m.image, m.state]).sort(), [
      ['tenet-lab/busybox:1', 'active'], ['tenet-lab/redis:bookworm', 'active'], ['tenet-lab/shop-api:1', 'active'], ['tenet-lab/shop-web:1', 'active'], ['tenet-lab/shop-worker:1', 'active'],
    ]);
    for (const m of models) {
      assert.ok((m.learning?.observedSec ?? 0) >= h.replay.learnForSec, `${m.id} learned for its window`);
      assert.ok(m.inventory !== undefined && m.inventory.executables.length > 0, `${m.image}: seeded from its image`);
    }
    const web = models.find((m) => m.image === 'tenet-lab/shop-web:1')!;
    assert.ok(web.network.listen.some((l) => l.port === 8080 && l.sources.some((s) => s.kind === 'learned')), 'the front end serves 8080, seen');

    // the attacks: each its audits, none while the shop was learned under load
    const audits = await h.store.audits({ limit: 10_000 });
    const firstAttack = Math.min(...audits.map((a) => Date.parse(a.time)));
    assert.ok(firstAttack - h.replay.start > h.replay.learnForSec * 1000, 'nothing was reported while the models learned');
    assert.ok(rules(audits, WEB).includes('reverse-shell') && rules(audits, WEB).includes('threat-intel-peer') && rules(audits, WEB).includes('lateral-movement'));
    assert.ok(rules(audits, API).includes('drift') && rules(audits, API).includes('sensitive-read') && rules(audits, API).includes('threat-intel-peer'));
    assert.ok(rules(audits, WORKER).includes('crypto-miner') && rules(audits, WORKER).includes('package-manager-or-compiler') && rules(audits, WORKER).includes('drift'));
    const lateral = audits.find((a) => a.rule === 'lateral-movement')!;
    assert.match(lateral.message, /\(shop\/web\) connected to shop\/redis/);
    const incidents = await h.store.incidents({ limit: 100 });
    // one incident per attack: each `docker exec` and the request through the front end's flaw its own chain
    assert.deepEqual(incidents.map((i) => [i.container.name, i.pattern, i.severity]).sort(), [
      [API, 'credential-exfiltration', 'critical'], [API, 'dropped-program', 'critical'], [WEB, 'lateral-movement', 'high'], [WEB, 'reverse-shell', 'critical'],
      [WEB, 'shell-in-container', 'high'], [WORKER, 'crypto-mining', 'critical'], [WORKER, 'tooling-in-container', 'high'],
    ]);
    // the reverse shell's forked child connected before its exec named its parent: still one story, with its techniques and the image
    const reverse = incidents.find((i) => i.pattern === 'reverse-shell')!;
    assert.deepEqual(reverse.timeline.map((t) => t.rule).filter((r) => r !== 'unexpected-syscall'), ['reverse-shell', 'unexpected-process', 'reverse-shell', 'threat-intel-peer', 'unexpected-egress', 'unexpected-write']);
    assert.equal(reverse.timeline.find((t) => t.rule === 'unexpected-process')!.count, 2, 'the shell and its child run the same program: one line');
    assert.ok(reverse.techniques!.some((t) => t.id === 'T1059.004') && reverse.container.image === 'tenet-lab/shop-web:1', JSON.stringify(reverse));
    // the graph: the shop's three edges learned, the front end straight to Redis anomalous
    const shop = (await h.store.supermodels()).find((s) => s.app === 'shop')!;
    assert.deepEqual(shop.edges.map((e) => `${e.from} → ${e.to}:${e.targetPort} ${e.state}`), [
      'shop/api → shop/redis:6379 learned', 'shop/web → shop/api:3000 learned', 'shop/web → shop/redis:6379 anomalous', 'shop/worker → shop/redis:6379 learned',
    ]);
    // exactly the audits the live defender stored, and what the rate limit held back folded into one (nothing hidden)
    assert.deepEqual(comparable(said(audits)), comparable(LIVE));
    assert.deepEqual(foldedOf(audits), []);
    // the events that told something stored, each audit's among them; the others (the models hold them) only counted
    const stored = await h.store.events({ limit: 100_000 });
    assert.equal(stored.length, status.counts.stored);
    assert.ok(status.counts.stored < status.counts.events, JSON.stringify(status.counts));
    const key = (e: RuntimeEvent) => `${e.time} ${e.kind} ${e.container?.id} ${e.process?.pid} ${e.file?.path ?? e.network?.remotePort ?? e.syscall ?? e.capability ?? ''}`;
    const keys = new Set(stored.map(key));
    for (const a of audits) if (a.event.source === 'tenet' && a.action?.taken !== 'process-killed') assert.ok(keys.has(key(a.event)), `${a.rule}: ${key(a.event)}`);
    // each image read once, nothing enforced in alert
    assert.deepEqual([...new Set(h.replay.containers.imagesRead)].length, h.replay.containers.imagesRead.length);
    assert.deepEqual([h.enforcers.exec.held, h.enforcers.network.held, h.enforcers.files.held, h.enforcers.block.held], [0, 0, 0, 0]);
  } finally {
    await h.close();
  }
});

test('models that heal: what both listeners did when a peer came, in no incident, is proposed; a policy takes it in; the attacked containers\' deviations are not', async () => {
  const h = replayed();
  try {
    await played(h);
    await h.defender.stop();
    const proposals = ((await h.store.status('proposals'))?.value ?? []) as Proposal[];
    const busybox = (await h.store.models()).find((m) => m.image === 'tenet-lab/busybox:1')!;
    assert.ok(proposals.length > 0 && proposals.every((p) => p.model === busybox.id && p.dimension === 'syscalls' && p.state === 'open' && p.evidence.containers.length === 2),
      JSON.stringify(proposals.map((p) => `${p.model.slice(0, 19)} ${p.dimension} ${p.entry} ${p.evidence.containers.length}`)));
    assert.ok(proposals.some((p) => p.entry === 'poll') && !busybox.syscalls.allow.includes('poll'));
  } finally {
    await h.close();
  }
  const healing = replayed({ extra: { heal: { dimensions: ['syscalls'], after: 2 } } });
  try {
    await played(healing);
    await healing.defender.stop();
    const busybox = (await healing.store.models()).find((m) => m.image === 'tenet-lab/busybox:1')!;
    assert.ok(busybox.syscalls.allow.includes('poll'), 'accepted by the policy: in the model');
    const poll = (((await healing.store.status('proposals'))?.value ?? []) as Proposal[]).find((p) => p.entry === 'poll')!;
    assert.deepEqual([poll.state, poll.decided?.by], ['accepted', 'policy']);
  } finally {
    await healing.close();
  }
});

test('with events: all, every event is stored, and nothing else changes', async () => {
  const h = replayed({ extra: { events: 'all' } });
  try {
    await played(h);
    await h.defender.stop();
    const { counts } = h.defender.status();
    assert.equal(counts.stored, counts.events);
    assert.equal((await h.store.events({ limit: 100_000 })).length, counts.events);
    assert.deepEqual(comparable(said(h.audits)), comparable(LIVE));
  } finally {
    await h.close();
  }
});

test('tenet dryrun --replay gives exactly the audits the defender stored from the same recording', async () => {
  const h = replayed();
  try {
    await played(h);
    await h.defender.stop();
    const run = tenet(['dryrun', '--replay', SHOP_RECORDING, '--format', 'json']);
    assert.equal(run.status, 0, run.stderr);
    const dry = JSON.parse(run.stdout) as { audits: Audit[]; incidents: Array<{ pattern: string }>; counts: { records: number } };
    const stored = await h.store.audits({ limit: 10_000 });
    assert.equal(dry.audits.length, stored.length);
    assert.deepEqual(comparable(dry.audits), comparable(stored));
    assert.deepEqual(dry.incidents.map((i) => i.pattern).sort(), (await h.store.incidents({ limit: 100 })).map((i) => i.pattern).sort());
    const table = tenet(['dryrun', '--replay', SHOP_RECORDING]);
    assert.match(table.stdout, /^Replay of .*shop\.jsonl\.gz: .* 47 audits, 7 incidents/);
    assert.match(tenet(['dryrun', '--replay', '/nonexistent.jsonl']).stderr, /ERR_BAD_RECORDING: \/nonexistent\.jsonl: ENOENT/);
  } finally {
    await h.close();
  }
});

/** The front end in prevent for programs and egress, the worker in block: what a test's policy says, in place of the recording's. */
const POLICY: ModeSetting[] = [
  { scope: { kind: 'image', value: 'tenet-lab/shop-web' }, dimension: 'processes', mode: 'prevent', setAt: '2026-01-01T00:00:00.000Z' },
  { scope: { kind: 'image', value: 'tenet-lab/shop-web' }, dimension: 'egress', mode: 'prevent', setAt: '2026-01-01T00:00:00.000Z' },
  { scope: { kind: 'image', value: 'tenet-lab/shop-worker' }, mode: 'block', setAt: '2026-01-01T00:00:00.000Z' },
];

test('modes reach the enforcers at the seam: once active, prevent holds the front end, the attacks on it carry what was done; block stops the worker once', async () => {
  const h = replayed({ store: (store) => ({ ...store, modes: async () => POLICY }) });
  try {
    await played(h);
    const webId = (await h.store.containers()).find((c) => c.name === WEB)!.id;
    const workerId = (await h.store.containers()).find((c) => c.name === WORKER)!.id;
    // the guards held nothing while the model learned, then the front end alone
    assert.deepEqual(h.enforcers.exec.changes, [[webId]]);
    assert.deepEqual(h.enforcers.network.changes, [[webId]]);
    assert.deepEqual(h.enforcers.files.changes, [], 'files stay in alert');
    assert.deepEqual(h.enforcers.block.changes, [[workerId]], 'the worker is stopped once, however many deviations');
    const audits = await h.store.audits({ limit: 10_000 });
    const shell = audits.find((a) => a.container.name === WEB && a.rule === 'unexpected-process' && a.event.process?.path === '/usr/bin/sh')!;
    assert.deepEqual([shell.action?.taken, shell.message.endsWith('; killed before it ran')], ['process-killed', true]);
    const out = audits.find((a) => a.container.name === WEB && a.rule === 'unexpected-egress')!;
    assert.equal(out.action?.taken, 'connection-dropped');
    assert.equal(audits.find((a) => a.container.name === WEB && a.rule === 'reverse-shell')?.action, undefined, 'known-bad behaviour is reported in every mode');
    assert.ok(audits.filter((a) => a.container.name === WORKER && a.lacked !== undefined).every((a) => a.action?.taken === 'container-stopped'));
    assert.equal(h.defender.counts.blocked, 1);
    assert.equal(h.defender.counts.connectionsDropped, audits.filter((a) => a.action?.taken === 'connection-dropped').length);
    // the graph marks the front end's way to Redis blocked where prevent drops it
    const edge = (await h.store.supermodels()).find((s) => s.app === 'shop')!.edges.find((e) => e.from === 'shop/web' && e.to === 'shop/redis')!;
    assert.equal(edge.state, 'blocked');
    await h.defender.stop();
    assert.deepEqual([h.enforcers.exec.held, h.enforcers.network.held], [0, 0], 'stopping lets every container go');
  } finally {
    await h.close();
  }
});

test('a restarted defender goes on from the store: models stay active, no image is read again, the attacks are still seen', async () => {
  const replay = Replay.read(SHOP_RECORDING);
  const h = replayed({ replay });
  try {
    await h.defender.start();
    // stopped once the models are active, before the attacks
    await replay.play(replay.start + (replay.learnForSec + 8) * 1000);
    const before = await h.store.models();
    assert.ok(before.length === 5 && before.every((m) => m.state === 'active'), JSON.stringify(before.map((m) => m.state)));
    await h.defender.stop();
    const read = replay.containers.imagesRead.length;
    h.restart();
    await h.defender.start();
    await replay.play();
    await h.defender.stop();
    assert.equal(replay.containers.imagesRead.length, read, 'the images kept in the store are not read again');
    const after = await h.store.models();
    assert.deepEqual(after.map((m) => [m.id, m.state]).sort(), before.map((m) => [m.id, m.state]).sort());
    for (const m of after) assert.ok((m.learning?.observedSec ?? 0) >= (before.find((b) => b.id === m.id)!.learning?.observedSec ?? 0), 'the learning clock went on');
    const incidents = await h.store.incidents({ limit: 100 });
    assert.deepEqual(incidents.map((i) => [i.container.name, i.pattern]).sort(), [
      [API, 'credential-exfiltration'], [API, 'dropped-program'], [WEB, 'lateral-movement'], [WEB, 'reverse-shell'], [WEB, 'shell-in-container'], [WORKER, 'crypto-mining'], [WORKER, 'tooling-in-container'],
    ]);
  } finally {
    await h.close();
  }
});

/** The store as the tests break it: writes fail while `down` holds. */
function flaky(store: DefenderStore, state: { down: boolean; failures: number }): DefenderStore {
  const failing = <A extends unknown[]>(write: (...args: A) => Promise<void>) => async (...args: A) => {
    if (state.down) {
      state.failures++;
      throw new Error('database is locked');
    }
    await write(...args);
  };
  return {
    ...store,
    addEvents: failing((events) => store.addEvents(events)),
    addAudits: failing((audits) => store.addAudits(audits)),
    putModels: failing((models) => store.putModels(models)),
    putIncidents: failing((incidents) => store.putIncidents(incidents)),
    putContainer: failing((container) => store.putContainer(container)),
    putStatus: failing((key, value) => store.putStatus(key, value)),
    putSupermodels: failing((graphs) => store.putSupermodels(graphs)),
    modes: async () => {
      if (state.down) throw new Error('database is locked');
      return store.modes();
    },
  };
}

test('a store that fails for a while, through the attacks: no crash, no event or audit lost, the failures counted', async () => {
  const state = { down: false, failures: 0 };
  const replay = Replay.read(SHOP_RECORDING);
  const h = replayed({ replay, store: (store) => flaky(store, state) });
  try {
    await h.defender.start();
    await replay.play(replay.start + (replay.learnForSec + 8) * 1000);
    state.down = true;
    await replay.play(replay.end - 1000);
    const during = h.defender.status().store!;
    assert.ok(during.storeErrors > 0 && during.pending > 0, JSON.stringify(during));
    state.down = false;
    await replay.play();
    await h.defender.stop();
    assert.ok(state.failures > 10);
    assert.equal((await h.store.events({ limit: 100_000 })).length, h.defender.counts.stored, 'every event stored in the end');
    assert.deepEqual(comparable(said(await h.store.audits({ limit: 10_000 }))), comparable(LIVE), 'every audit stored in the end');
    assert.ok(h.log.some((l) => l.includes('store: events: database is locked; kept for the next write')), h.log.filter((l) => l.includes('store')).join('\n'));
    const end = h.defender.status().store!;
    assert.deepEqual([end.storeDropped, end.pending, end.storeErrors >= during.storeErrors], [0, 0, true]);
  } finally {
    await h.close();
  }
});

test('a start step that fails undoes every step before it: nothing follows, listens, holds or ticks', async () => {
  const boom = () => Promise.reject(new Error('boom'));
  const failing: EventSource = { name: 'failing', start: boom, stop: async () => {}, watching: () => true, status: () => ({}) };
  // each step failing where it meets a seam: the images and tick steps start work of their own, whose failures are counted, not thrown
  const cases: Array<[string, (replay: Replay) => Parameters<typeof replayed>[0]]> = [
    ['store', () => ({ store: (s) => ({ ...s, models: boom }) })],
    ['sensors', (replay) => ({ extra: { sensors: [replay.sensor, failing] } })],
    ['containers', (replay) => {
      replay.containers.running = boom;
      return {};
    }],
    ['models', (replay) => {
      // a container running at start, whose image the store is asked for
      const first = replay.entries.find((e) => 'change' in e && e.change.action === 'start') as { change: { container: ContainerInfo } };
      replay.containers.start(first.change.container);
      return { store: (s) => ({ ...s, image: boom }) };
    }],
    ['enforcement', () => ({ enforcers: (e) => ({ ...e, network: Object.assign(e.network!, { adopt: boom }) }) })],
    ['streams', () => ({ extra: { streams: [failing] } })],
  ];
  for (const [step, options] of cases) {
    const replay = Replay.read(SHOP_RECORDING);
    const h = replayed({ ...options(replay), replay });
    try {
      await assert.rejects(h.defender.start(), (e: Error) => e instanceof StepError && e.step === step && /boom/.test(e.message), step);
      assert.deepEqual(h.defender.status().steps, [], `${step}: every step undone`);
      assert.equal(replay.sensor.sink, undefined, `${step}: the sensor stopped`);
      assert.equal(replay.containers.following, 0, `${step}: the containers followed no more`);
      assert.equal(replay.clock.pending, 0, `${step}: no timer left`);
      assert.deepEqual([h.enforcers.exec.held, h.enforcers.network.held, h.enforcers.files.held], [0, 0, 0], `${step}: nothing held`);
      assert.ok(h.log.includes(`start: ${step}: boom; undoing what started`), h.log.join('\n'));
    } finally {
      await h.close();
    }
  }
});
