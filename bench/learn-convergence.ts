// bench/learn-convergence (lab): when learning ends. The depot (lab/depot.ts) learned by a real defender under its
// normal load twice: learning that ends once each model converged (capped at BENCH_CAP_SEC, default 1200), and a
// fixed window of BENCH_WINDOW_SEC (default 900, --no-converge). Prints, per service, the time to active under each,
// and the audits and incidents of the following BENCH_NORMAL_SEC (default 600) of normal load under each: learning
// that ends sooner must not report more.
import { DEPOT_SERVICES, trial } from '../lab/depot.ts';
import { requireLab } from './lab.ts';

await requireLab('bench:learn-convergence');
const capSec = Number(process.env.BENCH_CAP_SEC ?? 1200);
const windowSec = Number(process.env.BENCH_WINDOW_SEC ?? 900);
const normalSec = Number(process.env.BENCH_NORMAL_SEC ?? 600);
console.log(`bench/learn-convergence: the depot learned until converged (cap ${capSec} s), then for a fixed ${windowSec} s; ${normalSec} s of normal load after each`);
const converged = await trial({ learnSec: capSec, converge: true, normalSec, attacks: false, log: (line) => console.log(`  convergence: ${line}`) });
const fixed = await trial({ learnSec: windowSec, converge: false, normalSec, attacks: false, log: (line) => console.log(`  window: ${line}`) });
console.log('  service   to active, converged   to active, window   ratio');
for (const s of DEPOT_SERVICES) {
  const a = converged.active[s];
  const b = fixed.active[s];
  console.log(`  ${s.padEnd(9)} ${`${a.sec} s (${a.by})`.padEnd(22)} ${`${b.sec} s`.padEnd(19)} ${(a.sec / b.sec).toFixed(2)}x`);
}
console.log(`  audits in the ${normalSec} s after: converged ${converged.normal.audits.length} (${converged.normal.incidents.length} incidents), window ${fixed.normal.audits.length} (${fixed.normal.incidents.length} incidents)`);
for (const a of converged.normal.audits) console.log(`    after convergence: ${a.container.name}: ${a.message}`);
for (const a of fixed.normal.audits) console.log(`    after the window: ${a.container.name}: ${a.message}`);
