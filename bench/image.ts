// bench/image: how long Tenet takes to read and analyse the lab's nginx image
// (every executable hashed, packages, OS, entrypoint), against `sha256sum` over
// the same executables unpacked on disk, measured in the same run with
// interleaved rounds (these machines are noisy). Then peak memory for images of
// different sizes, each read in a fresh process: it must not grow with the image.
// Needs the lab (root, `npm run lab:up`).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCKER, isRoot, LAB_IMAGES, pingDocker } from '../lab/lab.ts';
import { readImage } from '../src/image/index.ts';
import { imageIntent } from '../src/intent/index.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);

if (!isRoot() || !(await pingDocker())) {
  console.error('bench/image needs the lab: run as root after `npm run lab:up`');
  process.exit(1);
}

const docker = (...args: string[]) => execFileSync(DOCKER, args, { encoding: 'utf8', maxBuffer: 1 << 26 }).trim();
const work = mkdtempSync(join(tmpdir(), 'tenet-bench-image-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function timeAsync(f: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

try {
  const archive = join(work, 'nginx.tar');
  docker('save', '-o', archive, LAB_IMAGES.nginx);
  const analyse = async (input: string, verify = false) => imageIntent(await readImage(input, { verify })).model;
  const model = await analyse(`docker-archive:${archive}`);
  // The same executables, as files on disk: every regular executable file (links are not hashed twice).
  const files = model.inventory!.executables.filter((e) => e.target === undefined).map((e) => e.path);
  const rootfs = join(work, 'rootfs');
  const container = docker('create', LAB_IMAGES.nginx);
  execFileSync('sh', ['-c', `mkdir -p ${rootfs} && ${DOCKER} export ${container} | tar -C ${rootfs} -xf -`]);
  docker('rm', container);
  const paths = files.map((f) => join(rootfs, f));
  const bytes = paths.reduce((n, p) => n + statSync(p).size, 0);
  const sha256sum = () => {
    const result = spawnSync('sha256sum', paths, { stdio: ['ignore', 'ignore', 'inherit'] });
    if (result.status !== 0) throw new Error('sha256sum failed');
  };

  for (let i = 0; i < 2; i++) { sha256sum(); await analyse(`docker-archive:${archive}`); }
  const baseline: number[] = [];
  const tenet: number[] = [];
  const verified: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    baseline.push(await timeAsync(async () => sha256sum()));
    tenet.push(await timeAsync(() => analyse(`docker-archive:${archive}`)));
    verified.push(await timeAsync(() => analyse(`docker-archive:${archive}`, true)));
  }
  const engine: number[] = [];
  for (let i = 0; i < 3; i++) engine.push(await timeAsync(() => analyse(`image:${LAB_IMAGES.nginx}`)));

  const b = median(baseline);
  const a = median(tenet);
  const archiveMiB = statSync(archive).size / 1048576;
  console.log(`bench/image: ${LAB_IMAGES.nginx}, ${archiveMiB.toFixed(0)} MiB as a docker save tar; ${files.length} executables, ${(bytes / 1048576).toFixed(1)} MiB; ${ROUNDS} interleaved rounds, medians`);
  console.log(`  sha256sum over the executables (baseline)   ${b.toFixed(0)} ms`);
  console.log(`  tenet: read + analyse the docker save tar   ${a.toFixed(0)} ms   ratio ${(a / b).toFixed(2)}x (target <= 1.5x)`);
  console.log(`  tenet --verify (every layer hashed)         ${median(verified).toFixed(0)} ms   ratio ${(median(verified) / b).toFixed(2)}x`);
  console.log(`  tenet from the Docker engine (image:)       ${median(engine).toFixed(0)} ms   (the engine tars the image on the fly)`);

  // Peak memory per image, each in a fresh process.
  console.log('  peak memory (max RSS of a fresh process reading the image from the engine):');
  const probe = fileURLToPath(new URL('./image-memory.ts', import.meta.url));
  const node = process.execPath;
  const baselineRss = Number(spawnSync(node, ['-e', 'console.log(process.resourceUsage().maxRSS)'], { encoding: 'utf8' }).stdout) / 1024;
  console.log(`    ${'node alone'.padEnd(28)} ${''.padStart(8)} ${baselineRss.toFixed(0).padStart(6)} MiB`);
  for (const tag of [LAB_IMAGES.busybox, LAB_IMAGES.debian, LAB_IMAGES.nginx, LAB_IMAGES.nodeApp]) {
    const size = Number(docker('image', 'inspect', '--format', '{{.Size}}', tag)) / 1048576;
    const out = spawnSync(node, [probe, `image:${tag}`], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(out.stderr);
    const { rss, executables } = JSON.parse(out.stdout) as { rss: number; executables: number };
    console.log(`    ${tag.padEnd(28)} ${size.toFixed(0).padStart(5)} MiB ${(rss / 1024).toFixed(0).padStart(6)} MiB  (${executables} executables)`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
