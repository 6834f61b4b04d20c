// The lab's Node.js apps from npm (lab/apps) and their scripted workloads, run in
// containers under a seccomp profile while bpftrace counts every syscall they make:
// what test/lab/node-apps.test.ts checks and bench/seccomp.ts measures.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { SeccompProfile } from '../../src/enforce/index.ts';
import { docker, DOCKER, LAB_IMAGES, LAB_LABEL, labAppDir, sleep, SYSCALL_HEADER } from './lab.ts';

const TENET = fileURLToPath(new URL('../../bin/tenet.js', import.meta.url));
const APPS_DIR = fileURLToPath(new URL('../../lab/apps/', import.meta.url));

/** One request of a workload and what its answer must be. */
export interface Step {
  method?: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  /** Text the answer contains. */
  says: string;
}

/** A container the app talks to by host name, on a network of its own that the run creates and removes. */
export interface Upstream {
  image: string;
  /** The host name the app reaches it by (a network alias, resolved by Docker's DNS). */
  name: string;
  port: number;
  /** A command instead of the image's. */
  command?: string[];
  /** Requests made to it before the app starts (it is reached from here by its address). */
  setup?: Step[];
}

interface AppBase {
  /** The folder under lab/apps, whose code `tenet generate seccomp` reads. */
  name: string;
  image: string;
  upstream?: Upstream;
}

/** A server: it answers the workload's requests, then is stopped. */
export interface ServerApp extends AppBase {
  kind: 'server';
  port: number;
  workload: Step[];
  /** A line of its log that says it is ready (else: it is ready once it answers anything on `/`). */
  readyLog?: string;
}

/** A run-to-completion job (a test runner, a build, a linter): its exit code and texts its output contains. */
export interface JobApp extends AppBase {
  kind: 'job';
  exit: number;
  says: string[];
}

export type LabApp = ServerApp | JobApp;

/** What a run gave: one line per step (or per text a job says), the exit code, the logs, and the container's host name. */
export interface Run {
  answers: string[];
  exit: string;
  logs: string;
  /** The container's host name (the first 12 hex digits of its id), as bpftrace sees it. */
  host: string;
}

/** A test user of the registries, made up for each run. */
const REGISTRY_USER = { name: 'lab', password: randomBytes(12).toString('base64url') };
const basicAuth = { authorization: `Basic ${Buffer.from(`${REGISTRY_USER.name}:${REGISTRY_USER.password}`).toString('base64')}` };

/** A gzipped tar of `files` under `package/`, as `npm pack` makes it. */
function tarball(files: Readonly<Record<string, string>>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const header = Buffer.alloc(512);
    header.write(`package/${name}`, 0, 100);
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write(`${Math.floor(Date.UTC(2026, 0, 1) / 1000).toString(8).padStart(11, '0')}\0`, 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\u000000', 257);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** The request `npm publish` sends for a one-file package: its metadata with the tarball attached. */
function publish(name: string, version: string, main: string): Step {
  const manifest = { name, version, description: `${name}, published by the lab's workload`, main: 'index.js', license: 'MIT' };
  const data = tarball({ 'package.json': JSON.stringify(manifest, null, 2), 'index.js': main });
  const file = `${name}-${version}.tgz`;
  const body = {
    _id: name,
    name,
    'dist-tags': { latest: version },
    versions: {
      [version]: {
        ...manifest,
        _id: `${name}@${version}`,
        dist: {
          shasum: createHash('sha1').update(data).digest('hex'),
          integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
          tarball: `http://registry/${name}/-/${file}`,
        },
      },
    },
    _attachments: { [file]: { content_type: 'application/octet-stream', data: data.toString('base64'), length: data.length } },
  };
  return { method: 'PUT', path: `/${name}`, body, headers: basicAuth, status: 201, says: 'created new package' };
}

const addUser: Step = { method: 'PUT', path: `/-/user/org.couchdb.user:${REGISTRY_USER.name}`, body: REGISTRY_USER, status: 201, says: `user '${REGISTRY_USER.name}' created` };

/** The lab's http-server image as an upstream: it serves public/data.json ({"items":[1,2,3]}) and public/docs/readme.txt. */
const staticUpstream: Upstream = { image: LAB_IMAGES.httpServer, name: 'upstream', port: 8080 };

export const APPS: readonly LabApp[] = [
  {
    kind: 'server',
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
    kind: 'server',
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
    kind: 'server',
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
  {
    // Flows (lab/apps/node-red/data/flows.json): an HTTP call to the upstream by host name, a file
    // appended to and read, and two commands (one through a shell, one spawned directly).
    kind: 'server',
    name: 'node-red',
    image: LAB_IMAGES.nodeRed,
    port: 1880,
    upstream: staticUpstream,
    readyLog: 'Started flows',
    workload: [
      { path: '/upstream', status: 200, says: '{"via":"node-red","status":200,"items":[1,2,3]}' },
      { method: 'POST', path: '/notes', body: { text: 'first note' }, status: 201, says: 'saved' },
      { method: 'POST', path: '/notes', body: { text: 'second note' }, status: 201, says: 'saved' },
      { path: '/notes', status: 200, says: 'first note\nsecond note\n' },
      { path: '/uname', status: 200, says: 'Linux' },
      { path: '/count', status: 200, says: '2 /srv/app/data/notes.txt' },
      { path: '/flows', status: 200, says: '"url":"/upstream"' },
      { path: '/upstream', status: 200, says: '"items":[1,2,3]' },
    ],
  },
  {
    // A private registry: a user added, a package published to it (stored on disk), and packages it
    // does not hold fetched from its uplink, another registry reached by host name; its log goes
    // through a pino transport, which runs in a worker thread.
    kind: 'server',
    name: 'verdaccio',
    image: LAB_IMAGES.verdaccio,
    port: 4873,
    upstream: {
      image: LAB_IMAGES.verdaccio,
      name: 'upstream',
      port: 4873,
      command: ['node', 'node_modules/verdaccio/bin/verdaccio', '--config', '/srv/app/upstream.yaml'],
      setup: [addUser, publish('upstream-greeting', '1.0.0', "module.exports = () => 'hello from upstream';\n")],
    },
    workload: [
      { path: '/-/ping', status: 200, says: '{}' },
      addUser,
      { path: '/-/whoami', headers: basicAuth, status: 200, says: `"username": "${REGISTRY_USER.name}"` },
      publish('lab-pkg', '1.0.0', "module.exports = 'published in the lab';\n"),
      { path: '/lab-pkg', status: 200, says: '"_id": "lab-pkg@1.0.0"' },
      { path: '/lab-pkg/-/lab-pkg-1.0.0.tgz', status: 200, says: '' },
      { path: '/upstream-greeting', status: 200, says: '"_id": "upstream-greeting@1.0.0"' },
      { path: '/upstream-greeting/-/upstream-greeting-1.0.0.tgz', status: 200, says: '' },
      { path: '/upstream-greeting', status: 200, says: '"latest": "1.0.0"' },
      { path: '/-/v1/search?text=lab-pkg', status: 200, says: '"name":"lab-pkg"' },
      { path: '/missing-package', status: 404, says: 'no such package available' },
      { path: '/', status: 200, says: 'Lab registry' },
    ],
  },
  {
    // A mock API (lab/apps/mockoon/environment.json): templated routes, a file, a CRUD route, and a
    // proxy to the upstream by host name for every route it does not mock; the file watched for changes.
    kind: 'server',
    name: 'mockoon',
    image: LAB_IMAGES.mockoon,
    port: 3000,
    upstream: staticUpstream,
    workload: [
      { path: '/users?q=ada', status: 200, says: '"query": "ada"' },
      { path: '/catalogue/writing', status: 200, says: '"section": "writing"' },
      { method: 'POST', path: '/notes', body: { text: 'second note' }, status: 201, says: '"text":"second note"' },
      { path: '/notes', status: 200, says: '{"id":"n1","text":"first note"}' },
      { path: '/data.json', status: 200, says: '"items":[1,2,3]' },
      { path: '/docs/readme.txt', status: 200, says: 'a plain text file' },
      { path: '/users?q=grace', status: 200, says: '"query": "grace"' },
    ],
  },
  {
    // A test suite in worker threads, transformed by babel-jest with its cache in /tmp; jest-haste-map
    // looks for watchman and lists the files with find, both child processes.
    kind: 'job',
    name: 'jest',
    image: LAB_IMAGES.jest,
    exit: 0,
    says: ['Test Suites: 3 passed, 3 total', 'Tests:       12 passed, 12 total'],
  },
  {
    // A production build: Rolldown and Lightning CSS are native addons shipped in npm packages.
    kind: 'job',
    name: 'vite',
    image: LAB_IMAGES.vite,
    exit: 0,
    says: ['✓ 7 modules transformed.', 'dist/index.html', 'dist/assets/index-', '│ map: ', '✓ built in'],
  },
  {
    // A project linted in two worker threads, with a cache file; it has problems, so the exit code is 1.
    kind: 'job',
    name: 'eslint',
    image: LAB_IMAGES.eslint,
    exit: 1,
    says: ['8 problems (7 errors, 1 warning)', "'missing' is not defined", 'no-var'],
  },
];

/** The version of the npm package an app folder pins. */
export function appVersion(app: LabApp): string {
  const pkg = JSON.parse(readFileSync(`${APPS_DIR}${app.name}/package.json`, 'utf8')) as { dependencies: Record<string, string> };
  return Object.entries(pkg.dependencies).map(([name, version]) => `${name}@${version}`).join(' ');
}

/** The profile as a user gets it: `tenet generate seccomp APP_DIR`, and how long that took. */
export function generate(app: string): { profile: SeccompProfile; ms: number } {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [TENET, 'generate', 'seccomp', labAppDir(app)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`tenet generate seccomp ${app} exited with ${result.status}:\n${result.stderr.slice(-3000)}`);
  return { profile: JSON.parse(result.stdout) as SeccompProfile, ms };
}

/** The JavaScript modules `tenet analyze` reads for the app (the app's own folder, not folders below it with a package.json). */
export function modulesRead(app: string): number {
  const dir = labAppDir(app);
  const out = execFileSync(process.execPath, [TENET, 'analyze', dir, '--format', 'json', '--fail-on', 'none'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  const report = JSON.parse(out) as { apps: Array<{ dir: string; files: number; entries: unknown[] }> };
  return report.apps.reduce((most, a) => Math.max(most, a.files), 0);
}

export function syscallNames(): Map<number, string> {
  const header = readFileSync(SYSCALL_HEADER, 'utf8');
  return new Map([...header.matchAll(/#define __NR_(\w+) (\d+)/g)].map((m) => [Number(m[2]), m[1]!]));
}

/** The bpftrace programs started by observeSyscalls and not yet stopped: stopped when the process ends. */
const running = new Set<ReturnType<typeof spawn>>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Every syscall a container's Node.js process makes from its exec on, with all its
 * threads and every process it starts, counted in the kernel by bpftrace:
 * raw_syscalls:sys_enter fires after seccomp has let a call through, so this is what
 * the processes were allowed and used. Counts are kept per cgroup and tied to a
 * container by its host name, so other containers running Node.js (an upstream, other
 * tests) are told apart. The function returned stops bpftrace and gives the syscalls
 * of the container with the host name given.
 */
export async function observeSyscalls(): Promise<(host: string | undefined) => Promise<Set<string>>> {
  const program = [
    'tracepoint:sched:sched_process_exec /str(args->filename) == "/usr/local/bin/node"/ { @node[tid] = 1; @host[cgroup] = curtask->nsproxy->uts_ns->name.nodename; }',
    // a thread or a process started by one of them (sched_process_fork fires for both)
    'tracepoint:sched:sched_process_fork /@node[args->parent_pid]/ { @node[args->child_pid] = 1; }',
    'tracepoint:sched:sched_process_exit /@node[tid]/ { delete(@node[tid]); }',
    'tracepoint:raw_syscalls:sys_enter /@node[tid]/ { @calls[cgroup, args->id] = count(); }',
    // bpftrace checks for SIGINT only when it wakes for output: a SIGINT that comes between two waits would
    // otherwise leave it waiting for ever, so something is printed every 100 ms.
    'interval:ms:100 { printf("."); }',
    'END { clear(@node); }',
  ].join('\n');
  const child = spawn('bpftrace', ['-e', program], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    running.delete(child);
  };
  const deadline = Date.now() + 30_000;
  while (!output.includes('Attaching')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`bpftrace did not attach:\n${output}`);
    }
    await sleep(100);
  }
  await sleep(500);
  return async (host) => {
    await stop();
    if (child.signalCode === 'SIGKILL') throw new Error(`bpftrace did not stop on SIGINT:\n${output.slice(-2000)}`);
    const cgroups = new Set([...output.matchAll(/@host\[(\d+)\]: (\S+)/g)].filter((m) => m[2] === host).map((m) => m[1]));
    const names = syscallNames();
    const seen = new Set<string>();
    for (const [, cgroup, id] of output.matchAll(/@calls\[(\d+), (\d+)\]: \d+/g)) {
      if (cgroups.has(cgroup)) seen.add(names.get(Number(id)) ?? `#${id}`);
    }
    return seen;
  };
}

/** One step's answer: its status, and whether it says what it must. */
async function call(base: string, step: Step): Promise<string> {
  try {
    const response = await fetch(base + step.path, {
      method: step.method ?? 'GET',
      headers: { ...(step.body !== undefined && { 'content-type': 'application/json' }), ...step.headers },
      ...(step.body !== undefined && { body: JSON.stringify(step.body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return `${response.status} ${text.includes(step.says) ? 'as expected' : `unexpected: ${text.slice(0, 200)}`}`;
  } catch (error) {
    return `${step.method ?? 'GET'} ${step.path} failed: ${(error as Error).message}${(error as Error).cause instanceof Error ? ` (${((error as Error).cause as Error).message})` : ''}`;
  }
}

export const expected = (steps: readonly Step[]) => steps.map((s) => `${s.status} as expected`);

/** What a run of the app must give: the answers of its steps, or each text its job says. */
export function expectedAnswers(app: LabApp): string[] {
  return app.kind === 'server' ? expected(app.workload) : app.says.map((s) => `says ${JSON.stringify(s)}`);
}

const addressOf = (id: string) => docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', id);
const isRunning = (id: string) => docker('inspect', '-f', '{{.State.Running}}', id) === 'true';
const logsOf = (id: string) => {
  const result = spawnSync(DOCKER, ['logs', id], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return `${result.stdout}${result.stderr}`;
};

/** Waits until something answers HTTP at `base` (any status), or the container ends. */
async function answersAt(base: string, id: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fetch(base, { signal: AbortSignal.timeout(1000) }).then((r) => r.arrayBuffer().then(() => true), () => false)) return true;
    if (!isRunning(id)) return false;
    await sleep(150);
  }
  return false;
}

/**
 * Runs the app's image with `--security-opt seccomp=SECCOMP` (a file, or `unconfined`):
 * a server answers its workload (and `extra` steps) and is stopped; a job runs to its
 * end. An upstream, when the app has one, runs first on a network of the run's own.
 * Everything started is removed, failure included.
 */
export async function runApp(app: LabApp, seccomp: string, label: string, extra: readonly Step[] = []): Promise<Run> {
  const started: string[] = [];
  let network: string | undefined;
  const labelArgs = ['--label', `${LAB_LABEL}=${label}`];
  try {
    const networkArgs: string[] = [];
    if (app.upstream !== undefined) {
      network = docker('network', 'create', ...labelArgs, `tenet-lab-${app.name}-${randomBytes(4).toString('hex')}`);
      networkArgs.push('--network', network);
      const up = app.upstream;
      const upstream = docker('run', '-d', ...labelArgs, '--network', network, '--network-alias', up.name, up.image, ...(up.command ?? []));
      started.push(upstream);
      const base = `http://${addressOf(upstream)}:${up.port}`;
      if (!(await answersAt(base, upstream, 60_000))) throw new Error(`the upstream ${up.image} never answered:\n${logsOf(upstream)}`);
      for (const step of up.setup ?? []) {
        const answer = await call(base, step);
        if (answer !== `${step.status} as expected`) throw new Error(`the upstream's setup ${step.method ?? 'GET'} ${step.path}: ${answer}\n${logsOf(upstream)}`);
      }
    } else if (app.kind === 'job') {
      networkArgs.push('--network', 'none');
    }
    const id = docker('run', '-d', ...labelArgs, ...networkArgs, '--security-opt', `seccomp=${seccomp}`, app.image);
    started.push(id);
    const host = id.slice(0, 12);
    if (app.kind === 'job') {
      const wait = spawnSync(DOCKER, ['wait', id], { encoding: 'utf8', timeout: 180_000 });
      const logs = logsOf(id);
      const exit = wait.status === 0 ? wait.stdout.trim() : `did not end in 180 s`;
      return { answers: app.says.map((s) => (logs.includes(s) ? `says ${JSON.stringify(s)}` : `does not say ${JSON.stringify(s)}`)), exit, logs, host };
    }
    const base = `http://${addressOf(id)}:${app.port}`;
    const deadline = Date.now() + 90_000;
    let ready = app.readyLog === undefined ? await answersAt(base, id, 90_000) : false;
    while (app.readyLog !== undefined && !ready && Date.now() < deadline && isRunning(id)) {
      ready = logsOf(id).includes(app.readyLog);
      if (!ready) await sleep(200);
    }
    const answers: string[] = [];
    for (const step of [...app.workload, ...extra]) answers.push(ready ? await call(base, step) : `${step.method ?? 'GET'} ${step.path}: never ready`);
    if (isRunning(id)) docker('stop', '-t', '3', id);
    return { answers, exit: docker('inspect', '-f', '{{.State.ExitCode}}', id), logs: logsOf(id), host };
  } finally {
    for (const id of started.reverse()) spawnSync(DOCKER, ['rm', '-f', id], { stdio: 'ignore' });
    if (network !== undefined) spawnSync(DOCKER, ['network', 'rm', network], { stdio: 'ignore' });
  }
}

/** The syscall numbers and programs of the kernel's seccomp log lines (audit type 1326). */
export function loggedSyscalls(lines: readonly string[]): string[] {
  const names = syscallNames();
  const seen = new Set<string>();
  for (const line of lines) {
    const syscall = /syscall=(\d+)/.exec(line)?.[1];
    const exe = /exe="([^"]*)"/.exec(line)?.[1] ?? /comm="([^"]*)"/.exec(line)?.[1] ?? '?';
    if (syscall !== undefined) seen.add(`${names.get(Number(syscall)) ?? `#${syscall}`} (${exe})`);
  }
  return [...seen].sort();
}
