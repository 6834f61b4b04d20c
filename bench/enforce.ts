// bench/enforce: what prevention costs and how fast it takes hold. nginx from
// the lab, learned by a running defender; then, in interleaved rounds (these
// machines are noisy): every dimension in `learn` mode, wrk; every dimension in
// `prevent` mode — the exec guard, the nftables table in its network namespace
// and its read-only folders — with the time from `tenet mode prevent` until
// each is live in the kernel (a `docker exec … sh` killed with 137, the table
// listed, the mounts in its mount table), then wrk. Prints the median latencies
// and the ratio of requests/s, prevent against learn. Between the two, the mode is alert for a
// second: a probe the defender judged while still in learn mode would be
// learned, and then never killed. Needs the lab (root, `npm run lab:up`).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { LAB_IMAGES } from '../lab/lab.ts';
import { ownMounts, parseMountInfo } from '../src/enforce/index.ts';
import { BIN, docker, requireLab, startNginx, tenet, tenetStatus, wrk } from './lab.ts';
import { median } from './measure.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const TARGET_LOSS = 0.05;

await requireLab('bench/enforce');
const data = mkdtempSync(join(tmpdir(), 'tenet-bench-enforce-'));
const { id, ip } = startNginx();
const imageId = docker('inspect', '-f', '{{.Image}}', id);
const defender = spawn(process.execPath, [BIN, 'defender', '--data', data, '--quiet', '--learn-for', '6s'], { stdio: ['ignore', 'ignore', process.env.BENCH_DEBUG ? 'inherit' : 'ignore'] });
const mode = (m: string) => tenet('mode', m, '--image', LAB_IMAGES.nginx, '--data', data);
const pid = docker('inspect', '-f', '{{.State.Pid}}', id);
const live = {
  'exec guard (a kill)': () => spawnSync('docker', ['exec', id, 'sh', '-c', 'true'], { stdio: 'ignore' }).status === 137,
  'nftables table': () => spawnSync('nsenter', ['-t', pid, '-n', 'nft', 'list', 'table', 'inet', 'tenet'], { stdio: 'ignore' }).status === 0,
  'read-only folders': () => ownMounts(parseMountInfo(readFileSync(`/proc/${pid}/mountinfo`, 'utf8'))).length > 0,
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const learn: number[] = [];
const prevent: number[] = [];
const latency = new Map<string, number[]>(Object.keys(live).map((k) => [k, []]));
try {
  type Status = { models: Array<{ id: string; state: string }> };
  const deadline = Date.now() + 120_000;
  // learn nginx under load first (not measured)
  while (tenetStatus<Status>(data)?.models.some((m) => m.id === imageId && m.state === 'active') !== true) {
    if (Date.now() > deadline) throw new Error('nginx\'s model did not become active within 120 s');
    wrk(ip, 2);
  }
  for (let r = 0; r < ROUNDS; r++) {
    mode('learn');
    await sleep(1000);
    learn.push(wrk(ip, SECONDS));
    // through alert, so that a probe made before the defender took prevent up is not learned
    mode('alert');
    await sleep(1000);
    const set = performance.now();
    mode('prevent');
    const pending = new Set(Object.keys(live) as Array<keyof typeof live>);
    while (pending.size > 0) {
      for (const what of pending) {
        if (!live[what]()) continue;
        latency.get(what)!.push(performance.now() - set);
        pending.delete(what);
      }
      if (performance.now() - set > 30_000) throw new Error(`prevent did not take hold within 30 s: ${[...pending].join(', ')}`);
    }
    prevent.push(wrk(ip, SECONDS));
  }
} finally {
  defender.kill('SIGTERM');
  await new Promise((r) => defender.once('close', r));
  docker('rm', '-f', id);
  rmSync(data, { recursive: true, force: true });
}
const loss = 1 - median(prevent) / median(learn);
const line = (name: string, xs: number[]) => `  ${name.padEnd(22)} ${Math.round(median(xs)).toLocaleString('en').padStart(7)} requests/s  (${xs.map((x) => Math.round(x)).join(', ')})`;
console.log(`bench/enforce: nginx under wrk (1 thread, 32 connections, ${SECONDS} s), ${ROUNDS} interleaved rounds`);
for (const [what, xs] of latency) console.log(`  mode change to ${what.padEnd(19)} live: median ${Math.round(median(xs))} ms (${xs.map((x) => Math.round(x)).join(', ')})`);
console.log(line('every dimension: learn', learn));
console.log(line('every dimension: prevent', prevent));
console.log(`  ratio prevent/learn ${(1 - loss).toFixed(3)}, ${(loss * 100).toFixed(1)}% loss; target ≤ ${TARGET_LOSS * 100}%: ${loss <= TARGET_LOSS ? 'met' : 'NOT met'}`);
if (loss > TARGET_LOSS) process.exitCode = 1;
