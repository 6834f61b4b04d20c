import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { recreateService, SHOP_COMPOSE, SHOP_NETWORK, shopContainer, startRogue, startShop, stopShop } from '../../lab/shop.ts';
import type { Audit, Incident, IntentModel, Supermodel } from '../../src/model/index.ts';
import { BIN, tenet } from '../run-cli.ts';
import { docker, inLab, LAB_IMAGES, sleep, until } from './lab.ts';

const work = mkdtempSync(join(tmpdir(), 'tenet-lab-shop-'));
const data = join(work, 'data');
let defender: ChildProcess | undefined;
const audits: Audit[] = [];
const log: string[] = [];

after(() => {
  defender?.kill('SIGKILL');
  stopShop();
  rmSync(work, { recursive: true, force: true });
});

const address = (service: string) => docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${SHOP_NETWORK}").IPAddress}}`, shopContainer(service));
const models = () => JSON.parse(tenet(['models', '--data', data, '--format', 'json']).stdout) as IntentModel[];
const supermodel = () => (JSON.parse(tenet(['supermodel', SHOP_COMPOSE, '--data', data, '--app', 'shop', '--format', 'json']).stdout) as Supermodel[])[0];

/** The shop's normal workload: the front end asked for its API page, again and again, until stopped; resolves to the answers' statuses. */
function shopping(): { stop: () => Promise<number[]> } {
  let going = true;
  const statuses: number[] = [];
  const done = (async () => {
    while (going) {
      // a slow answer on a loaded machine (the syscall sensor traces every call while the shop learns) is still an answer
      statuses.push(await fetch(`http://${address('web')}:8080/api/cart`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.status, () => 0));
      await sleep(100);
    }
  })();
  return { stop: async () => ((going = false), await done, statuses) };
}

/** The front end connecting straight to Redis, made to by its request-forgery flaw: resolves to what it says (connected, timeout, error). */
async function straightToRedis(): Promise<string> {
  return (await fetch(`http://${address('web')}:8080/debug/connect?to=${address('redis')}:6379`, { signal: AbortSignal.timeout(10_000) })).text();
}

test('the shop\'s graph is learned from its traffic: exactly its three edges, declared and observed; the front end straight to Redis is one lateral-movement audit, and fails in prevent', { timeout: 300_000 }, async (t) => {
  if (!(await inLab(t))) return;
  defender = spawn(process.execPath, [BIN, 'defender', '--learn-for', '8s', '--data', data], { stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: defender.stdout! }).on('line', (line) => audits.push(JSON.parse(line) as Audit));
  createInterface({ input: defender.stderr! }).on('line', (line) => log.push(line));
  await until('the defender runs', () => (log.some((l) => l.includes('defender running')) ? true : undefined), 60_000)
    .catch((e: Error) => { throw new Error(`${e.message}\n${log.join('\n')}`); });

  // the shop starts under the syscall sensor, so that its models have their start-up calls
  type Sensors = { defender: { syscallSensor?: { running: boolean } } };
  await until('the syscall sensor runs', () => ((JSON.parse(tenet(['status', '--data', data, '--format', 'json']).stdout) as Sensors).defender.syscallSensor?.running === true ? true : undefined), 30_000);
  startShop();
  await until('the front end answers', async () => ((await fetch(`http://${address('web')}:8080/api/x`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined))?.ok === true ? true : undefined), 30_000);
  const learning = shopping();
  const images = [LAB_IMAGES.shopWeb, LAB_IMAGES.shopApi, LAB_IMAGES.shopWorker, LAB_IMAGES.redis];
  await until('the shop\'s models are active', () => (images.every((i) => models().some((m) => m.image === i && m.state === 'active')) ? true : undefined), 120_000)
    .catch((e: Error) => { throw new Error(`${e.message}\n${log.slice(-20).join('\n')}`); });
  const quiet = Date.now();
  await sleep(3000);
  const answered = await learning.stop();
  assert.ok(answered.every((s) => s === 200), `the shop served while it was learned (answers: ${answered.join(' ')})`);

  // the graph: exactly the compose file's three edges, each observed
  const graph = await until('the stored graph has the shop\'s edges', () => {
    const s = supermodel();
    return s !== undefined && s.edges.filter((e) => e.count !== undefined).length >= 3 ? s : undefined;
  }, 30_000).catch((e: Error) => { throw new Error(`${e.message}\n${JSON.stringify(supermodel(), null, 1)}`); });
  assert.deepEqual(graph.edges.map((e) => [e.from, e.to, e.targetPort, e.protocol, e.state, [...new Set(e.sources.map((s) => s.kind))].join('+')]), [
    ['shop/api', 'shop/redis', 6379, 'tcp', 'both', 'declared+learned'],
    ['shop/web', 'shop/api', 3000, 'tcp', 'both', 'declared+learned'],
    ['shop/worker', 'shop/redis', 6379, 'tcp', 'both', 'declared+learned'],
  ]);
  assert.deepEqual(graph.nodes.map((n) => n.id), ['shop/api', 'shop/redis', 'shop/web', 'shop/worker']);
  assert.ok(graph.edges.every((e) => (e.count ?? 0) > 0 && e.lastSeen !== undefined));
  assert.deepEqual(audits.filter((a) => Date.parse(a.time) >= quiet), [], 'the normal workload raises nothing');

  // the front end straight to Redis: the network allows it, the graph does not
  const before = audits.length;
  const normal = shopping();
  assert.equal(await straightToRedis(), 'connected', 'alert: it connects');
  // its connection happened before the answer came: the sensor forgets it by its next clear, within 10 s of now
  const first = Date.now();
  const lateral = await until('the audit', () => audits.slice(before).find((a) => a.rule === 'lateral-movement'), 10_000);
  assert.equal(lateral.container.name, shopContainer('web'));
  assert.equal(lateral.lacked?.entry, `tcp/${address('redis')}:6379`);
  assert.match(lateral.message, /\(shop\/web\) connected to shop\/redis/);
  await sleep(2000);
  assert.deepEqual(audits.slice(before).map((a) => a.rule), ['lateral-movement'], audits.slice(before).map((a) => a.message).join('\n'));
  const incidents = JSON.parse(tenet(['incidents', '--data', data]).stdout) as Incident[];
  assert.deepEqual(incidents.map((i) => i.pattern), ['lateral-movement']);

  // prevent: the same connection times out, the shop goes on serving
  assert.equal(tenet(['mode', 'prevent', '--image', LAB_IMAGES.shopWeb, '--dimension', 'egress', '--data', data]).status, 0);
  type Status = { defender: { networkGuard?: { containers: number } } };
  await until('the table is in place', () => ((JSON.parse(tenet(['status', '--data', data, '--format', 'json']).stdout) as Status).defender.networkGuard?.containers === 1 ? true : undefined), 30_000);
  // the sensor reports a container's connection to one peer once until it clears what it said, every 10 s
  await sleep(Math.max(0, 10_500 - (Date.now() - first)));
  assert.equal(await straightToRedis(), 'timeout', 'prevent: it times out');
  // on a loaded machine the sensor's report may fall in its next 10 s window: one window more at most
  const dropped = await until('its audit', () => audits.slice(before).find((a) => a.rule === 'lateral-movement' && a.action?.taken === 'connection-dropped'), 25_000);
  assert.equal(dropped.container.name, shopContainer('web'));
  await sleep(1000);
  const statuses = await normal.stop();
  // the radar's view: the front end to Redis is an edge, blocked
  await until('the stored graph says it is blocked', () => (supermodel()?.edges.find((e) => e.from === 'shop/web' && e.to === 'shop/redis')?.state === 'blocked' ? true : undefined), 15_000);

  // a new deployment of the API gets a new address (a rogue container took the old one): the front end still reaches it in prevent
  const old = address('api');
  recreateService('api', () => startRogue(LAB_IMAGES.busybox));
  const moved = address('api');
  assert.notEqual(moved, old);
  await until('the front end reaches the new API through its table', async () => ((await fetch(`http://${address('web')}:8080/api/again`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined))?.status === 200 ? true : undefined), 20_000);
  const after = shopping();
  await sleep(2000);
  const served = await after.stop();
  assert.ok(served.length > 5 && served.every((s) => s === 200), `served after the move: ${served.join(',')}`);
  assert.ok(statuses.length > 10 && statuses.every((s) => s === 200), `the normal workload is unaffected: ${statuses.join(',')}`);
});
