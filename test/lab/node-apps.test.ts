import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { profileAllows, type SeccompProfile } from '../../src/enforce/index.ts';
import { docker, inLab, LAB_IMAGES, LAB_LABEL, labAppDir, seccompLog, SYSCALL_HEADER } from './lab.ts';

/**
 * Real apps from npm, installed by the lab into Node.js images, run under the
 * profile `tenet generate seccomp` makes from their code: a scripted workload is
 * answered, the kernel logs no syscall outside the profile, every syscall the
 * app makes is in it, and a process the code never starts cannot start.
 */

const TENET = fileURLToPath(new URL('../../bin/tenet.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tenet-lab-apps-'));
after(() => rmSync(work, { recursive: true, force: true }));

interface Step {
  method?: string;
  path: string;
  body?: unknown;
  status: number;
  /** Text the answer contains. */
  says: string;
}

interface LabApp {
  name: string;
  image: string;
  port: number;
  workload: Step[];
}

const APPS: LabApp[] = [
  {
    name: 'http-server',
    image: LAB_IMAGES.httpServer,
    port: 8080,
    workload: [
      { path: '/', status: 200, says: 'served by http-server' },
      { path: '/data.json', status: 200, says: '"items":[1,2,3]' },
      { path: '/docs/', status: 200, says: 'readme.txt' },
      { path: '/docs/readme.txt', status: 200, says: 'a plain text file' },
      { method: 'HEAD', path: '/index.html', status: 200, says: '' },
      { path: '/missing.html', status: 404, says: '' },
    ],
  },
  {
    name: 'json-server',
    image: LAB_IMAGES.jsonServer,
    port: 3000,
    workload: [
      { path: '/posts', status: 200, says: '"title": "first"' },
      { path: '/posts/1', status: 200, says: '"author": "ada"' },
      { method: 'POST', path: '/posts', body: { title: 'second', author: 'grace' }, status: 201, says: '"id": 2' },
      { path: '/posts?author=grace', status: 200, says: '"title": "second"' },
      { method: 'PATCH', path: '/posts/2', body: { title: 'edited' }, status: 200, says: '"title": "edited"' },
      { path: '/comments?postId=1', status: 200, says: '"body": "nice"' },
      { method: 'DELETE', path: '/posts/2', status: 200, says: '{}' },
      { path: '/posts/2', status: 404, says: '{}' },
    ],
  },
  {
    name: 'express',
    image: LAB_IMAGES.express,
    port: 3000,
    workload: [
      { path: '/healthz', status: 200, says: 'ok' },
      { method: 'POST', path: '/items', body: { name: 'pen' }, status: 201, says: '"id":0' },
      { method: 'POST', path: '/items', body: { name: 'ink' }, status: 201, says: '"id":1' },
      { path: '/items', status: 200, says: '[{"name":"pen"},{"name":"ink"}]' },
      { path: '/items/1', status: 200, says: '"name":"ink"' },
      { method: 'DELETE', path: '/items/0', status: 204, says: '' },
      { path: '/items/7', status: 404, says: 'not found' },
    ],
  },
];

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

function syscallNames(): Map<number, string> {
  const header = readFileSync(SYSCALL_HEADER, 'utf8');
  return new Map([...header.matchAll(/#define __NR_(\w+) (\d+)/g)].map((m) => [Number(m[2]), m[1]!]));
}

/**
 * Every syscall a container's Node.js process (all its threads) makes from its
 * exec on, counted in the kernel by bpftrace: raw_syscalls:sys_enter fires after
 * seccomp has let a call through, so this is what the process was allowed and used.
 */
async function observeSyscalls(): Promise<() => Promise<Set<string>>> {
  const program = [
    'tracepoint:sched:sched_process_exec /str(args->filename) == "/usr/local/bin/node"/ { @node[pid] = 1; }',
    'tracepoint:raw_syscalls:sys_enter /@node[pid]/ { @calls[args->id] = count(); }',
    // bpftrace checks for SIGINT only when it wakes for output: a SIGINT that comes between two waits would
    // otherwise leave it waiting for ever, so something is printed every 100 ms.
    'interval:ms:100 { printf("."); }',
    'END { clear(@node); }',
  ].join('\n');
  const child = spawn('bpftrace', ['-e', program], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  while (!output.includes('Attaching')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`bpftrace did not attach:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500));
  return async () => {
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    if (child.signalCode === 'SIGKILL') throw new Error(`bpftrace did not stop on SIGINT:\n${output.slice(-2000)}`);
    const names = syscallNames();
    const seen = new Set<string>();
    for (const [, id] of output.matchAll(/@calls\[(\d+)\]: \d+/g)) seen.add(names.get(Number(id)) ?? `#${id}`);
    return seen;
  };
}

async function call(base: string, step: Step): Promise<string> {
  const response = await fetch(base + step.path, {
    method: step.method ?? 'GET',
    ...(step.body !== undefined && { body: JSON.stringify(step.body), headers: { 'content-type': 'application/json' } }),
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  return `${response.status} ${text.includes(step.says) ? 'as expected' : `unexpected: ${text.slice(0, 200)}`}`;
}

/** Runs the image under a profile, waits for it to answer, runs the steps, stops it; the answers and the exit code. */
async function runUnder(image: string, profilePath: string, port: number, steps: readonly Step[], extra: readonly Step[] = []) {
  const id = docker('run', '-d', '--label', `${LAB_LABEL}=node-apps-test`, '--security-opt', `seccomp=${profilePath}`, image);
  try {
    const base = `http://${docker('inspect', '-f', '{{.NetworkSettings.IPAddress}}', id)}:${port}`;
    for (let attempt = 0; ; attempt++) {
      try {
        await fetch(base, { signal: AbortSignal.timeout(1000) });
        break;
      } catch (e) {
        if (attempt > 100) throw new Error(`${image} never answered: ${docker('logs', id)}`, { cause: e });
        await new Promise((r) => setTimeout(r, 150));
      }
    }
    const answers: string[] = [];
    for (const step of [...steps, ...extra]) answers.push(await call(base, step));
    docker('stop', '-t', '3', id);
    return { answers, exit: docker('inspect', '-f', '{{.State.ExitCode}}', id), logs: docker('logs', id) };
  } finally {
    docker('rm', '-f', id);
  }
}

const expected = (steps: readonly Step[]) => steps.map((s) => `${s.status} as expected`);

/** The profile as a user gets it: `tenet generate seccomp APP_DIR`. */
function generate(app: string): SeccompProfile {
  return JSON.parse(execFileSync(process.execPath, [TENET, 'generate', 'seccomp', labAppDir(app)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as SeccompProfile;
}

for (const app of APPS) {
  test(`${app.name} from npm serves its workload under the profile made from its code, and asks for nothing outside it`, async (t) => {
    if (!(await inLab(t))) return;
    const profile = generate(app.name);
    const allowed = profileAllows(profile);
    const enforce = join(work, `${app.name}.json`);
    const logOnly = join(work, `${app.name}-log.json`);
    writeFileSync(enforce, JSON.stringify(profile));
    writeFileSync(logOnly, JSON.stringify({ ...profile, defaultAction: 'SCMP_ACT_LOG' }));

    // With every would-be denial logged instead of refused, and every call the app makes counted.
    const before = seccompLog().length;
    const stop = await observeSyscalls();
    const logged = await runUnder(app.image, logOnly, app.port, app.workload);
    const observed = await stop();
    assert.deepEqual(logged.answers, expected(app.workload), logged.logs);
    assert.deepEqual(seccompLog().slice(before), [], 'the kernel logged no syscall outside the profile, start to stop');
    assert.ok(observed.size > 20, `bpftrace saw the app: ${[...observed].join(' ')}`);
    assert.deepEqual([...observed].filter((s) => !allowed.includes(s)), [], 'every syscall the app made is in the profile');

    // Enforced: the same answers.
    const enforced = await runUnder(app.image, enforce, app.port, app.workload);
    assert.deepEqual(enforced.answers, expected(app.workload), enforced.logs);
    // It stops as it stops without enforcement (json-server, PID 1 without a SIGTERM handler, is killed after the grace time).
    assert.equal(enforced.exit, logged.exit, enforced.logs);

    const names = new Set(syscallNames().values());
    const dockerDefault = dockerDefaultAllowed(names);
    const ratio = allowed.length / 308;
    t.diagnostic(`${app.name}: profile allows ${allowed.length} syscalls = ${(ratio * 100).toFixed(0)}% of Docker's default 308 on x86_64 `
      + `(${dockerDefault} unconditional amd64 names in docker-default.json); observed ${observed.size} while serving`);
    assert.ok(ratio <= 0.45, `${allowed.length} allowed is over 45% of Docker's default`);
  });
}

test('express: a request that makes the app start a process its code never starts fails with EPERM, and the app keeps serving', async (t) => {
  if (!(await inLab(t))) return;
  const profile = generate('express');
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
