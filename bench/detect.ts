// bench/detect: events per second through everything the defender checks on
// one core: the known-bad rules, threat intelligence (100,000 indicators) for
// every connection and DNS name, the model of 1,000 active images, and the
// incidents the audits make. The events reach the checks as they do in the
// defender: fresh from the sensor's parser, a batch of lines at a time (the
// parse is not timed here: bench/sensor measures it). A million events built
// up front and read back would measure the memory bus instead: a defender
// never holds them. The baseline, in the same run with interleaved rounds, is
// the model check alone (bench/learn's work).
import { measureDetect } from './detect-workload.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TARGET = 1_000_000;

const figures = measureDetect(ROUNDS);
const rate = figures.rate;
console.log(`bench/detect: ${figures.models} active models, ${figures.indicators.toLocaleString('en')} intel indicators, ${figures.events.toLocaleString('en')} events (0.5% bad), medians of ${ROUNDS} interleaved rounds`);
console.log(`  all rules + intel + model + incidents  ${Math.round(rate).toLocaleString('en')} events/s (${figures.audits} audits a round)`);
console.log(`  baseline (model check alone)           ${Math.round(figures.baseline).toLocaleString('en')} events/s`);
console.log(`  ratio ${(figures.baseline / rate).toFixed(2)}x the baseline's time; target ≥ ${TARGET.toLocaleString('en')} events/s: ${rate >= TARGET ? 'met' : 'NOT met'}`);
if (rate < TARGET) process.exitCode = 1;
