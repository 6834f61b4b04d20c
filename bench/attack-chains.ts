// bench/attack-chains (lab): the red team's trial of the depot (lab/depot.ts), five times in a row: each run a real
// defender learns the depot under its normal load (healthchecks, a busybox helper's periodic jobs, log writes,
// temporary files), then ten more minutes of that load with nothing to report, then twelve attack chains. Prints per
// run the audits and incidents of the normal load (0 and 0 is the target) and, per chain, whether its rule fired and
// its own incident told it. BENCH_RUNS, BENCH_NORMAL_SEC and BENCH_LEARN_SEC change the defaults (5, 600, 90).
import { CHAINS, trial, type Trial } from '../lab/depot.ts';
import { requireLab } from './lab.ts';

await requireLab('bench:attack-chains');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const normalSec = Number(process.env.BENCH_NORMAL_SEC ?? 600);
const learnSec = Number(process.env.BENCH_LEARN_SEC ?? 90);
const serviceOf = (name: string | undefined) => name?.match(/^depot[-_](\w+)[-_]1$/)?.[1];

console.log(`bench/attack-chains: ${runs} runs; each the depot learned for ${learnSec} s, ${normalSec} s of normal load, then ${CHAINS.length} attack chains`);
const results: Trial[] = [];
for (let run = 1; run <= runs; run++) {
  const result = await trial({ learnSec, converge: true, normalSec, attacks: true, log: (line) => console.log(`  run ${run}: ${line}`) });
  results.push(result);
  const { audits, incidents } = result.attacked;
  const told = new Map<string, number>();
  for (const i of incidents) told.set(`${serviceOf(i.container.name)} ${i.pattern}`, (told.get(`${serviceOf(i.container.name)} ${i.pattern}`) ?? 0) + 1);
  const rows = CHAINS.map((c) => {
    const rule = audits.some((a) => serviceOf(a.container.name) === c.service && a.rule === c.rule);
    const own = told.get(`${c.service} ${c.pattern}`) === 1;
    return `    ${c.name.padEnd(36)} ${c.service.padEnd(7)} ${c.rule.padEnd(28)} ${rule ? 'fired' : 'MISSED'}   ${c.pattern.padEnd(24)} ${own ? 'own incident' : 'NOT TOLD'}`;
  });
  console.log(`  run ${run}: normal load: ${result.normal.audits.length} audits, ${result.normal.incidents.length} incidents; attacks: ${incidents.length} incidents for ${CHAINS.length} chains`);
  for (const line of rows) console.log(line);
  for (const a of result.normal.audits) console.log(`    normal-load audit: ${a.container.name}: ${a.message}`);
}
const detected = results.map((r) => CHAINS.filter((c) => r.attacked.audits.some((a) => serviceOf(a.container.name) === c.service && a.rule === c.rule)).length);
const told = results.map((r) => CHAINS.filter((c) => r.attacked.incidents.filter((i) => serviceOf(i.container.name) === c.service && i.pattern === c.pattern).length === 1).length);
console.log(`summary: normal-load audits per run ${results.map((r) => r.normal.audits.length).join(', ')}; incidents ${results.map((r) => r.normal.incidents.length).join(', ')}; `
  + `chains detected by their rule ${detected.map((n) => `${n}/${CHAINS.length}`).join(', ')}; told as their own incident ${told.map((n) => `${n}/${CHAINS.length}`).join(', ')}`);
