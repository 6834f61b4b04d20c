import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { profileAllows } from '../../src/enforce/index.ts';
import { docker, inLab, LAB_IMAGES, LAB_LABEL, seccompLog } from './lab.ts';
import { APPS, appVersion, expected, expectedAnswers, generate, loggedSyscalls, observeSyscalls, runApp, type Step, syscallNames } from './node-workloads.ts';

/**
 * Real apps from npm, installed by the lab into Node.js images, run under the
 * profile `tenet generate seccomp` makes from their code: a scripted workload is
 * answered (a server's requests, a job's run to its end), the kernel logs no
 * syscall outside the profile, every syscall the app makes (its threads and the
 * processes it starts included) is in it, and a process the code never starts
 * cannot start. The apps and their workloads are in node-workloads.ts.
 */

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tenet-lab-apps-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** What Docker's default profile allows on x86_64, unconditionally: its ALLOW rules for amd64 that need no capability. */
function dockerDefaultAllowed(known: ReadonlySet<string>): number {
  const profile = JSON.parse(readFileSync(join(FIXTURES, 'seccomp/docker-default.json'), 'utf8')) as {
    syscalls: Array<{ names: string[]; action: string; includes?: { caps?: string[]; arches?: string[] } }>;
  };
  const allowed = new Set<string>();
  for (const rule of profile.syscalls) {
    if (rule.action !== 'SCMP_ACT_ALLOW' || rule.includes?.caps !== undefined) continue;
    if (rule.includes?.arches !== undefined && !rule.includes.arches.some((a) => a === 'amd64' || a === 'x86_64')) continue;
    for (const name of rule.names) if (known.has(name)) allowed.add(name);
  }
  return allowed.size;
}

/** Runs the image under a profile, waits for it to answer, runs the steps, stops it; the answers and the exit code. */
async function runUnder(image: string, profilePath: string, port: number, steps: readonly Step[]) {
  return runApp({ kind: 'server', name: image, image, port, workload: [...steps] }, profilePath, 'node-apps-test');
}

for (const app of APPS) {
  const does = app.kind === 'server' ? 'serves its workload' : 'runs its job to the end';
  test(`${app.name} from npm ${does} under the profile made from its code, and asks for nothing outside it`, async (t) => {
    if (!(await inLab(t))) return;
    const { profile } = generate(app.name);
    const allowed = profileAllows(profile);
    const enforce = join(work, `${app.name}.json`);
    const logOnly = join(work, `${app.name}-log.json`);
    writeFileSync(enforce, JSON.stringify(profile));
    writeFileSync(logOnly, JSON.stringify({ ...profile, defaultAction: 'SCMP_ACT_LOG' }));

    // With every would-be denial logged instead of refused, and every call the app makes counted.
    const before = seccompLog().length;
    const stop = await observeSyscalls();
    let logged: Awaited<ReturnType<typeof runApp>> | undefined;
    let observed: Set<string>;
    try {
      logged = await runApp(app, logOnly, 'node-apps-test');
    } finally {
      observed = await stop(logged?.host);
    }
    const log = seccompLog().slice(before);
    // Enforced: the same answers.
    const enforced = await runApp(app, enforce, 'node-apps-test');

    const missing = [...observed].filter((s) => !allowed.includes(s)).sort();
    const names = new Set(syscallNames().values());
    const dockerDefault = dockerDefaultAllowed(names);
    const ratio = allowed.length / 308;
    const passed = JSON.stringify(enforced.answers) === JSON.stringify(expectedAnswers(app)) && enforced.exit === logged.exit;
    t.diagnostic(`${app.name} (${appVersion(app)}): profile allows ${allowed.length} syscalls = ${(ratio * 100).toFixed(0)}% of Docker's default 308 on x86_64 `
      + `(${dockerDefault} unconditional amd64 names in docker-default.json); observed ${observed.size} while ${app.kind === 'server' ? 'serving' : 'running'}`);
    t.diagnostic(`${app.name}: observed but not allowed: ${missing.join(' ') || 'none'}; logged by the kernel: ${loggedSyscalls(log).join(', ') || 'none'}; `
      + `enforced: ${passed ? 'as without enforcement' : `exit ${enforced.exit} (without: ${logged.exit}), ${enforced.answers.join('; ')}`}`);

    assert.deepEqual(logged.answers, expectedAnswers(app), logged.logs);
    assert.deepEqual(log, [], 'the kernel logged no syscall outside the profile, start to stop');
    assert.ok(observed.size > 20, `bpftrace saw the app: ${[...observed].join(' ')}`);
    assert.deepEqual(missing, [], 'every syscall the app made is in the profile');

    assert.deepEqual(enforced.answers, expectedAnswers(app), enforced.logs);
    // It stops as it stops without enforcement (json-server, PID 1 without a SIGTERM handler, is killed after the grace time);
    // a job ends with the same exit code.
    assert.equal(enforced.exit, logged.exit, enforced.logs);

    assert.ok(ratio <= 0.45, `${allowed.length} allowed is over 45% of Docker's default`);
  });
}

test('express: a request that makes the app start a process its code never starts fails with EPERM, and the app keeps serving', async (t) => {
  if (!(await inLab(t))) return;
  const { profile } = generate('express');
  const path = join(work, 'express-spawn.json');
  writeFileSync(path, JSON.stringify(profile));
  // A copy of the app with one more route, as an attacker's injected code would add it; the profile is the original's.
  const context = join(work, 'express-spawn');
  mkdirSync(context);
  writeFileSync(join(context, 'spawn.js'), [
    "const { spawn } = require('node:child_process');",
    "const app = require('./app.js');",
    "app.get('/spawn', (req, res) => {",
    "  const child = spawn('/bin/true', { stdio: 'ignore' });",
    "  child.on('error', (e) => res.status(500).send(e.code));",
    "  child.on('exit', () => res.send('spawned'));",
    '});',
    'app.listen(3000);',
  ].join('\n'));
  writeFileSync(join(context, 'Dockerfile'), `FROM ${LAB_IMAGES.express}\nCOPY spawn.js /srv/app/spawn.js\nCMD ["node", "spawn.js"]\n`);
  const image = 'tenet-lab/express-spawn:test';
  docker('build', '-q', '--label', `${LAB_LABEL}=node-apps-test`, '-t', image, context);
  try {
    const steps: Step[] = [
      { path: '/spawn', status: 500, says: 'EPERM' },
      { path: '/healthz', status: 200, says: 'ok' },
      { method: 'POST', path: '/items', body: { name: 'after' }, status: 201, says: '"id":0' },
      { path: '/spawn', status: 500, says: 'EPERM' },
      { path: '/items/0', status: 200, says: '"name":"after"' },
    ];
    const result = await runUnder(image, path, 3000, steps);
    assert.deepEqual(result.answers, expected(steps), result.logs);
  } finally {
    docker('rmi', '-f', image);
  }
});
