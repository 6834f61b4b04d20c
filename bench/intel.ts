// bench/intel: how fast the threat-intelligence index answers for IPv4
// addresses, with 1,000,000 prefixes (networks from /8 to /32, overlapping, in
// several feeds), and how long it takes to build. The baseline, in the same run
// with interleaved rounds, is a hash set of the single addresses alone: the
// least an exact-address lookup costs, without networks.
import { interleaved, seededRandom, seconds } from './measure.ts';
import { IntelIndex, ipv4Number, type Indicator } from '../src/intel/index.ts';

const PREFIXES = 1_000_000;
const LOOKUPS = 2_000_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TARGET = 5_000_000;

const random = seededRandom(7);
const address = () => [0, 0, 0, 0].map(() => Math.floor(random() * 256)).join('.');
const indicators: Indicator[] = [];
for (let i = 0; i < PREFIXES; i++) {
  const bits = random() < 0.7 ? 32 : 8 + Math.floor(random() * 24);
  indicators.push({
    kind: bits === 32 ? 'ip' : 'cidr',
    value: bits === 32 ? address() : `${address()}/${bits}`,
    provenance: { feed: `feed-${i % 20}`, format: 'list' },
  });
}
const queries = Float64Array.from({ length: LOOKUPS }, () => ipv4Number(address()));

// what is live (collected first, when the run allows it): the heap and the typed arrays' buffers, which lie outside it
const inUse = () => {
  global.gc?.();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
};
const memoryBefore = inUse();
let index!: IntelIndex;
const buildMs = seconds(() => (index = new IntelIndex(indicators))) * 1000;
const memoryMiB = (inUse() - memoryBefore) / 1048576;

const singles = new Set(indicators.filter((i) => i.kind === 'ip').map((i) => ipv4Number(i.value)));
let hits = 0;
const tenet = () => {
  hits = 0;
  for (let i = 0; i < queries.length; i++) if (index.lookupIPv4(queries[i]!) !== -1) hits++;
};
let found = 0;
const baseline = () => {
  found = 0;
  for (let i = 0; i < queries.length; i++) {
    if (singles.has(queries[i]!)) found++;
  }
};
const measured = interleaved(ROUNDS, tenet, baseline);
const rate = LOOKUPS / measured.ours;
console.log(`bench/intel: ${PREFIXES.toLocaleString('en')} IPv4 prefixes (/8–/32, overlapping), ${LOOKUPS.toLocaleString('en')} lookups, medians of ${ROUNDS} interleaved rounds`);
console.log(`  index built in ${Math.round(buildMs)} ms, ~${Math.round(memoryMiB)} MiB${global.gc === undefined ? ' with garbage (run with --expose-gc for what is live)' : ' live'}`);
console.log(`  lookups   ${Math.round(rate).toLocaleString('en')}/s (${hits.toLocaleString('en')} covered)`);
console.log(`  baseline  ${Math.round(LOOKUPS / measured.baseline).toLocaleString('en')}/s (a Set of the ${singles.size.toLocaleString('en')} single addresses; ${found} found)`);
console.log(`  ratio ${(measured.ours / measured.baseline).toFixed(2)}x the baseline's time; target ≥ ${TARGET.toLocaleString('en')}/s: ${rate >= TARGET ? 'met' : 'NOT met'}`);
if (rate < TARGET) process.exitCode = 1;
