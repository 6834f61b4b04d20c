// bench/node-analysis: how fast Tenet turns a Node.js app into its code intent
// (entries, module graph with Node's resolution, core-module uses, syscalls),
// against the raw parse of the same files by acorn, in the same run with
// interleaved rounds (these machines are noisy). Two apps: the lab's Express API
// with all its dependencies, and bench/apps/large, which reaches a few thousand
// modules of popular packages. Both are installed once from their lock files
// (`npm ci`, the npm registry only) into a cache folder.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as acorn from 'acorn';
import { installedApp } from '../lab/lab.ts';
import { diskTree } from '../src/cli/source-tree.ts';
import { appGraph, codeIntent } from '../src/intent/index.ts';
import { nodeSyscallMap } from '../src/knowledge/index.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const TARGET_MS = 2000;
const CACHE = join(tmpdir(), 'tenet-bench-apps');
const APPS = [
  { name: 'express API', source: fileURLToPath(new URL('../lab/apps/express', import.meta.url)) },
  { name: 'large app', source: fileURLToPath(new URL('./apps/large', import.meta.url)) },
];

const map = nodeSyscallMap(process.version, process.arch)!;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const time = (f: () => unknown) => {
  const start = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - start) / 1e6;
};

/** The parser alone, as Tenet calls it for plain JavaScript: a script, else a module. */
function rawParse(text: string): void {
  for (const sourceType of ['script', 'module'] as const) {
    try {
      acorn.parse(text, { ecmaVersion: 'latest', sourceType, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true, allowHashBang: true });
      return;
    } catch {
      // the other source type
    }
  }
}

let failed = false;
for (const app of APPS) {
  const dir = installedApp(app.source, CACHE);
  const graph = appGraph(diskTree(), [join(dir, JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).main ?? 'index.js')]);
  const texts = graph.files.map((f) => readFileSync(f.path, 'utf8'));
  const megabytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0) / 1048576;

  const analyse = () => codeIntent(diskTree(), dir, { map });
  const parse = () => texts.forEach(rawParse);
  const cold = time(analyse); // the first run in this process: the parser's code not yet compiled by V8
  for (let i = 0; i < 2; i++) { analyse(); parse(); }
  const tenet: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    tenet.push(time(analyse));
    raw.push(time(parse));
  }
  const result = analyse();
  const t = median(tenet);
  const r = median(raw);
  console.log(`${app.name}: ${result.report.files} modules, ${megabytes.toFixed(1)} MiB of code, ${result.report.apis.length} APIs, ${result.model.syscalls.allow.length} syscalls`);
  console.log(`  tenet (read, resolve, parse, map): ${t.toFixed(0)} ms = ${Math.round(result.report.files / (t / 1000))} files/s`);
  console.log(`  first run of this app in this process: ${cold.toFixed(0)} ms`);
  console.log(`  raw acorn parse of the same files (already in memory): ${r.toFixed(0)} ms = ${Math.round(result.report.files / (r / 1000))} files/s`);
  console.log(`  ratio tenet / raw parse: ${(t / r).toFixed(2)}x (medians of ${ROUNDS} interleaved rounds)`);
  if (result.report.files >= 1000) {
    const ok = t < TARGET_MS;
    failed ||= !ok;
    console.log(`  target < ${TARGET_MS} ms for a few thousand modules: ${ok ? 'met' : 'NOT met'}`);
  }
}
process.exitCode = failed ? 1 : 0;
