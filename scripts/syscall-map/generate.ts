/**
 * Generates the Node.js API → syscall map for the Node.js that runs this script:
 * each probe of probes.ts runs under strace (several rounds, fresh folder each),
 * and what it asks the kernel for beyond the baseline program is its set.
 *
 *   node scripts/syscall-map/generate.ts [--out FILE] [--rounds N] [--only API,API]
 *
 * The default output is src/knowledge/syscalls/node-v<MAJOR>-<ARCH>.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { NodeSyscallMap } from '../../src/knowledge/index.ts';
import { BASELINE, PROBES, type Probe } from './probes.ts';


const TRACE_LINE = /^\d+\s+(?:<\.\.\. )?([a-z0-9_]+)(?:\(| resumed>)/;

/** The distinct syscalls of an strace -f log. */
export function syscallsOf(log: string): Set<string> {
  const names = new Set<string>();
  for (const line of log.split('\n')) {
    const match = TRACE_LINE.exec(line);
    if (match) names.add(match[1]!);
  }
  return names;
}

/** Runs one program under strace in a fresh folder; resolves to its syscalls. */
export function trace(code: string, node = process.execPath): Promise<Set<string>> {
  const dir = mkdtempSync(join(tmpdir(), 'tenet-syscall-probe-'));
  // The trace lives outside the probe's folder, or a probe watching its folder would see strace write.
  const log = `${dir}.trace`;
  writeFileSync(join(dir, 'probe.mjs'), `${code}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn('strace', ['-f', '-qq', '-o', log, '--', node, 'probe.mjs'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        if (code !== 0) throw new Error(`probe exited with ${code}: ${stderr.trim().slice(-500)}\n${readFileSync(join(dir, 'probe.mjs'), 'utf8')}`);
        resolve(syscallsOf(readFileSync(log, 'utf8')));
      } catch (e) {
        reject(e as Error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
        rmSync(log, { force: true });
      }
    });
  });
}

async function union(code: string, rounds: number): Promise<Set<string>> {
  const all = new Set<string>();
  for (let i = 0; i < rounds; i++) for (const name of await trace(code)) all.add(name);
  return all;
}

/** Runs `work` over `items`, `width` at a time. */
async function pool<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  }));
  return results;
}

export async function generate(probes: readonly Probe[], rounds: number): Promise<NodeSyscallMap> {
  const baseline = new Set<string>();
  for (const program of BASELINE) for (const name of await union(program, rounds + 1)) baseline.add(name);
  const added = await pool(probes, 2, async (probe) => {
    const seen = await union(probe.code, rounds);
    return [probe.api, [...seen].filter((s) => !baseline.has(s)).sort()] as const;
  });
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  return {
    node: process.versions.node,
    arch: process.arch,
    libc: report.header?.glibcVersionRuntime !== undefined ? `glibc ${report.header.glibcVersionRuntime}` : 'unknown',
    tracer: spawnSync('strace', ['-V'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'strace',
    baseline: [...baseline].sort(),
    apis: Object.fromEntries(added),
  };
}

export function defaultMapPath(major = process.versions.node.split('.')[0], arch = process.arch): string {
  return fileURLToPath(new URL(`../../src/knowledge/syscalls/node-v${major}-${arch}.json`, import.meta.url));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, rounds: { type: 'string', default: '3' }, only: { type: 'string' } } });
  const only = values.only?.split(',');
  const probes = only === undefined ? PROBES : PROBES.filter((p) => only.includes(p.api));
  const started = Date.now();
  const map = await generate(probes, Number(values.rounds));
  const out = values.out ?? defaultMapPath();
  writeFileSync(out, `${JSON.stringify(map, null, 2)}\n`);
  console.log(`syscall map: ${probes.length} APIs, baseline ${map.baseline.length} syscalls, Node ${map.node} ${map.arch}, ${((Date.now() - started) / 1000).toFixed(1)} s → ${out}`);
}
