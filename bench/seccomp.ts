// bench/seccomp: for every lab app from npm (lab/apps), what `tenet generate seccomp`
// allows against what the app really asks the kernel for. Each app's profile is made
// from its installed code (timed: the analysis time), then its scripted workload runs
// once without seccomp while bpftrace counts every syscall of its processes and threads,
// as test/lab/node-apps.test.ts does. Prints one row per app: modules read, syscalls
// allowed, syscalls observed, the share of Docker's default 308 the profile allows, the
// analysis time (`tenet generate seccomp` as a user runs it, the median of three runs,
// which must give the same profile), and the observed syscalls the profile would
// refuse; then the median allowed. A syscall the profile answers with an errno by an explicit rule (clone3 with
// ENOSYS, for glibc to fall back to clone) is shown apart from the misses. Needs the lab (`npm run lab:up`, root). BENCH_APPS=a,b limits the apps.
import { profileAllows } from '../src/enforce/index.ts';
import { APPS, appVersion, expectedAnswers, generate, modulesRead, observeSyscalls, runApp } from '../test/lab/node-workloads.ts';
import { requireLab } from './lab.ts';

const DOCKER_DEFAULT = 308;

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? NaN : sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Row {
  app: string;
  version: string;
  modules: number | string;
  allowed: number | undefined;
  observed: number;
  analysisMs: number | undefined;
  missing: string[];
  workload: string;
}

await requireLab('bench:seccomp');
const only = process.env.BENCH_APPS?.split(',').filter(Boolean);
const rows: Row[] = [];
for (const app of APPS.filter((a) => only === undefined || only.includes(a.name))) {
  let allowed: string[] | undefined;
  let refusedByRule: string[] = [];
  let analysisMs: number | undefined;
  let failure = '';
  try {
    // the analysis time is the median of three runs: these machines are shared, and one run can be a slow one
    const runs = [generate(app.name), generate(app.name), generate(app.name)];
    const generated = runs[0]!;
    if (runs.some((r) => JSON.stringify(r.profile) !== JSON.stringify(generated.profile))) throw new Error('three runs gave different profiles');
    allowed = profileAllows(generated.profile);
    // answered with an errno on purpose (clone3 with ENOSYS, so that glibc falls back to clone): not a miss
    refusedByRule = generated.profile.syscalls.filter((r) => r.action === 'SCMP_ACT_ERRNO').flatMap((r) => r.names);
    analysisMs = median(runs.map((r) => r.ms));
  } catch (error) {
    failure = (error as Error).message.split('\n').slice(0, 2).join(' ');
  }
  let modules: number | string;
  try {
    modules = modulesRead(app.name);
  } catch {
    modules = '?';
  }
  const stop = await observeSyscalls();
  let host: string | undefined;
  let workload = 'failed';
  try {
    const run = await runApp(app, 'unconfined', 'bench');
    host = run.host;
    const wanted = expectedAnswers(app);
    const right = run.answers.filter((a, i) => a === wanted[i]).length;
    workload = right === wanted.length ? 'ok' : `${right}/${wanted.length}: ${run.answers.find((a, i) => a !== wanted[i])}`;
  } finally {
    const observed = await stop(host);
    rows.push({
      app: app.name,
      version: appVersion(app),
      modules,
      allowed: allowed?.length,
      observed: observed.size,
      analysisMs,
      missing: allowed === undefined ? [`(no profile: ${failure})`]
        : [...observed].filter((s) => !allowed.includes(s)).sort().map((s) => (refusedByRule.includes(s) ? `(${s}: errno by rule)` : s)),
      workload,
    });
  }
  console.error(`bench:seccomp: ${app.name} done`);
}

const header = ['app', 'version', 'modules read', 'allowed', 'observed', 'allowed/308', 'analysis', 'workload', 'observed, not allowed'];
const table = rows.map((r) => [
  r.app,
  r.version,
  String(r.modules),
  r.allowed === undefined ? '-' : String(r.allowed),
  String(r.observed),
  r.allowed === undefined ? '-' : `${((r.allowed / DOCKER_DEFAULT) * 100).toFixed(0)}%`,
  r.analysisMs === undefined ? '-' : `${(r.analysisMs / 1000).toFixed(2)} s`,
  r.workload,
  r.missing.join(' ') || '-',
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
console.log(line(header));
for (const row of table) console.log(line(row));
const allowedCounts = rows.flatMap((r) => (r.allowed === undefined ? [] : [r.allowed]));
const medianAllowed = median(allowedCounts);
console.log(`\nmedian allowed: ${medianAllowed} syscalls = ${((medianAllowed / DOCKER_DEFAULT) * 100).toFixed(0)}% of Docker's default ${DOCKER_DEFAULT} (${allowedCounts.length} profiles)`);
const missed = rows.filter((r) => r.missing.some((m) => !m.includes('errno by rule'))).length;
console.log(`median observed: ${median(rows.map((r) => r.observed))} syscalls; apps with observed syscalls outside their profile: ${missed} of ${rows.length}`);
console.log('allowed counts names: a rule with conditions on arguments (clone for threads only) counts as allowed; the test run under the profile\'s log twin reports what such a rule refused.');
