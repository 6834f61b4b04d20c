// bench/analyze: how fast `tenet analyze` models the whole shared fixtures tree and the
// real-world corpus of the tests (test/intent/corpus), against the plain YAML/JSON/Dockerfile
// parsing of the same files measured in the same run.
// Runs are interleaved (parse, analyze, parse, analyze …) because these machines are noisy.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';
import { parseAllDocuments } from 'yaml';
import { collectInputs } from '../src/cli/inputs.ts';
import { analyze, classify, DEFAULT_MAX_FILE_SIZE, type InputFile } from '../src/intent/index.ts';

const FIXTURES = fileURLToPath(new URL('../../shared/fixtures/', import.meta.url));
const CORPUS = fileURLToPath(new URL('../test/intent/corpus/', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);

const { inputs } = collectInputs([FIXTURES, CORPUS], DEFAULT_MAX_FILE_SIZE);
const bytes = inputs.reduce((n, i) => n + i.content.byteLength, 0);
const kinds = classify(inputs);

/** The baseline: what parsing alone costs, with the same libraries Tenet uses. */
function parseOnly(files: readonly InputFile[]): number {
  let values = 0;
  const decoder = new TextDecoder();
  const dockerfiles = new Set(kinds.dockerfiles.map((d) => d.file));
  for (const file of files) {
    const text = decoder.decode(file.content);
    if (dockerfiles.has(file.path)) values += DockerfileParser.parse(text).getInstructions().length;
    else if (/\.json$/i.test(file.path) || /^\s*[[{]/.test(text)) {
      try { JSON.parse(text); values++; } catch { /* counted as parsed */ }
    } else {
      values += parseAllDocuments(text).length;
    }
  }
  return values;
}

function time(f: () => unknown): number {
  const start = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

for (let i = 0; i < 3; i++) { parseOnly(inputs); analyze(inputs); }
const parseMs: number[] = [];
const analyzeMs: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  parseMs.push(time(() => parseOnly(inputs)));
  analyzeMs.push(time(() => analyze(inputs)));
}

const cli = fileURLToPath(new URL('../bin/tenet.js', import.meta.url));
const cliMs: number[] = [];
for (let i = 0; i < 5; i++) {
  cliMs.push(time(() => spawnSync(process.execPath, [cli, 'analyze', FIXTURES, CORPUS, '--format', 'json', '--fail-on', 'none'], { stdio: 'ignore' })));
}

const p = median(parseMs);
const a = median(analyzeMs);
const result = analyze(inputs);
console.log(`bench/analyze: ${inputs.length} files, ${(bytes / 1024).toFixed(0)} KiB from the fixtures tree and the real-world corpus; ${ROUNDS} interleaved rounds, medians`);
console.log(`  models ${result.models.length}, supermodels ${result.supermodels.length}, findings ${result.findings.length}`);
console.log(`  plain parse (yaml, JSON.parse, dockerfile-ast): ${p.toFixed(1)} ms`);
console.log(`  tenet analyze (in process):                     ${a.toFixed(1)} ms  = ${(inputs.length / (a / 1000)).toFixed(0)} files/s`);
console.log(`  overhead over parsing alone:                    ${(a / p).toFixed(2)}x  (target < 3x)`);
console.log(`  whole CLI run, start to exit:                   ${median(cliMs).toFixed(0)} ms  (target < 1000 ms)`);
