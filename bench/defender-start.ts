// bench/defender-start: how soon a defender protects a busy host. 20 running
// containers of 20 distinct images, built here (the lab's Debian, nginx, Redis
// and Node.js images, five each, every one with a layer of its own holding
// programs); then `tenet defender` started on a new store (first start) and
// started again on the same store (restart). Measured from the moment the
// process is spawned: until its status in the store says its sensor runs, and
// until every one of the 20 models in the store holds the entries of its
// image and it has no image left to read. The same is measured, in the same run and interleaved, for the
// defender before it was rebuilt around seams (the commit BASELINE, default
// f674eaa, checked out in a temporary worktree), and the ratios printed.
// Targets: sensor ≤ 3 s on both starts; models seeded ≤ 30 s first, ≤ 3 s on a
// restart. Needs the lab (root, `npm run lab:up`).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { LAB_IMAGES, LAB_LABEL } from '../lab/lab.ts';
import { BIN, docker, requireLab } from './lab.ts';
import { median } from './measure.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const BASELINE = process.env.BASELINE ?? 'f674eaa';
const IMAGES = 20;
const TIMEOUT_MS = 240_000;
const TARGETS = { sensor: 3_000, seededFirst: 30_000, seededRestart: 3_000 };
const ROOT = new URL('..', import.meta.url).pathname;

await requireLab('bench/defender-start');
const work = mkdtempSync(join(tmpdir(), 'tenet-bench-start-'));
const label = `${LAB_LABEL}=bench-defender-start`;
const bases = [LAB_IMAGES.debian, LAB_IMAGES.nginx, LAB_IMAGES.redis, LAB_IMAGES.node];
const tags = Array.from({ length: IMAGES }, (_, k) => `tenet-bench/start-${k}:1`);
const running: ChildProcess[] = [];

/** The defender of one version of the code, on a data folder, in its own process group. */
function defender(bin: string, data: string): ChildProcess {
  const child = spawn(process.execPath, [bin, 'defender', '--data', data, '--learn-for', '1h', '--quiet'], { detached: true, stdio: 'ignore' });
  running.push(child);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid!, 'SIGTERM');
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/**
 * What the store in `data` says of the defender `pid`: whether its sensor
 * runs, and whether every image's model holds its image's entries with no
 * image left to read. A defender from before the rebuild writes its first
 * status once it read every image (its start waits for them), one from after
 * says how many images it still reads.
 */
function look(data: string, pid: number, imageIds: ReadonlySet<string>): { sensor: boolean; seeded: boolean } {
  const file = join(data, 'tenet.db');
  if (!existsSync(file)) return { sensor: false, seeded: false };
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file, { readOnly: true });
    const row = db.prepare('SELECT body FROM status WHERE key = ?').get('defender') as { body: string } | undefined;
    const status = row === undefined ? undefined : JSON.parse(row.body) as { pid: number; sensor?: { running?: boolean }; images?: { pending: number } };
    if (status?.pid !== pid) return { sensor: false, seeded: false };
    const models = db.prepare('SELECT body FROM models').all() as Array<{ body: string }>;
    const seeded = models.filter((m) => imageIds.has((JSON.parse(m.body) as { id: string }).id) && m.body.includes('"kind":"image"')).length;
    return { sensor: status.sensor?.running === true, seeded: seeded === imageIds.size && (status.images?.pending ?? 0) === 0 };
  } catch {
    // the store being made, or a write under way
    return { sensor: false, seeded: false };
  } finally {
    db?.close();
  }
}

/** One start of a defender: milliseconds from its spawn until its sensor runs, and until every model is seeded from its image. */
async function start(bin: string, data: string, imageIds: ReadonlySet<string>): Promise<{ sensor: number; seeded: number }> {
  const began = performance.now();
  const child = defender(bin, data);
  let sensor: number | undefined;
  let seeded: number | undefined;
  try {
    while (sensor === undefined || seeded === undefined) {
      if (child.exitCode !== null) throw new Error(`${bin}: the defender exited with ${child.exitCode}`);
      const seen = look(data, child.pid!, imageIds);
      const now = performance.now() - began;
      if (sensor === undefined && seen.sensor) sensor = now;
      if (seeded === undefined && seen.seeded) seeded = now;
      if (now > TIMEOUT_MS) throw new Error(`${bin}: not within ${TIMEOUT_MS / 1000} s (sensor ${sensor ?? '-'} ms, seeded ${seeded ?? '-'} ms)`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { sensor, seeded };
  } finally {
    await stop(child);
  }
}

const results = { baseline: { first: [] as Array<{ sensor: number; seeded: number }>, restart: [] as Array<{ sensor: number; seeded: number }> }, current: { first: [] as Array<{ sensor: number; seeded: number }>, restart: [] as Array<{ sensor: number; seeded: number }> } };
const baselineDir = join(work, 'baseline');
try {
  // the images, each with a layer of its own (programs the image reader hashes), and a container of each
  for (const [k, tag] of tags.entries()) {
    const dockerfile = `FROM ${bases[k % bases.length]}\nLABEL ${label}\nUSER 0\nRUN mkdir -p /opt/bench && cp /usr/bin/[a-f]* /opt/bench/ && echo ${k} > /opt/bench/id\nCMD ["sleep", "infinity"]\n`;
    execFileSync('docker', ['build', '-q', '-t', tag, '-'], { input: dockerfile, stdio: ['pipe', 'ignore', 'pipe'] });
    docker('run', '-d', '--label', label, '--name', `tenet-bench-start-${k}`, tag);
  }
  const imageIds = new Set(tags.map((t) => docker('image', 'inspect', '-f', '{{.Id}}', t)));
  if (imageIds.size !== IMAGES) throw new Error(`${imageIds.size} distinct images instead of ${IMAGES}`);

  // the code before the rebuild, beside this one
  execFileSync('git', ['-C', ROOT, 'worktree', 'add', '--detach', baselineDir, BASELINE], { stdio: 'ignore' });
  symlinkSync(join(ROOT, 'node_modules'), join(baselineDir, 'node_modules'));
  const bins = { baseline: join(baselineDir, 'bin', 'tenet.js'), current: BIN };

  for (let r = 0; r < ROUNDS; r++) {
    // interleaved, each version first in turn: the page cache favours whichever reads the images second
    const order = (r % 2 === 0 ? ['baseline', 'current'] : ['current', 'baseline']) as Array<keyof typeof bins>;
    for (const version of order) {
      const data = join(work, `${version}-${r}`);
      results[version].first.push(await start(bins[version], data, imageIds));
      results[version].restart.push(await start(bins[version], data, imageIds));
      rmSync(data, { recursive: true, force: true });
    }
  }
} finally {
  await Promise.all(running.map(stop));
  execFileSync('sh', ['-c', `docker rm -f $(docker ps -aq --filter label=${label}) >/dev/null 2>&1; docker rmi ${tags.join(' ')} >/dev/null 2>&1; true`]);
  if (existsSync(baselineDir)) execFileSync('git', ['-C', ROOT, 'worktree', 'remove', '--force', baselineDir], { stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const met = (ms: number, target: number) => (ms <= target ? 'met' : 'NOT met');
console.log(`bench/defender-start: ${IMAGES} running containers of ${IMAGES} distinct images, median of ${ROUNDS} interleaved rounds; before = ${BASELINE}`);
let failed = false;
for (const start of ['first', 'restart'] as const) {
  for (const what of ['sensor', 'seeded'] as const) {
    const now = median(results.current[start].map((x) => x[what]));
    const before = median(results.baseline[start].map((x) => x[what]));
    const target = what === 'sensor' ? TARGETS.sensor : start === 'first' ? TARGETS.seededFirst : TARGETS.seededRestart;
    failed ||= now > target;
    const name = `${start === 'first' ? 'first start' : 'restart'}: ${what === 'sensor' ? 'sensor running' : 'every model seeded'}`;
    console.log(`  ${name.padEnd(34)} ${s(now).padStart(7)} (before ${s(before)}, ratio ${(now / before).toFixed(2)}); target ≤ ${s(target)}: ${met(now, target)}`);
  }
}
if (failed) process.exitCode = 1;
