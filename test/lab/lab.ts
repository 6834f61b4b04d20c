// The lab as tests meet it: skipped, and saying so, on a machine that is plainly
// not a lab (not root); a loud failure when root and the lab is not up.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { DOCKER, isRoot, LAB_IMAGES, LAB_LABEL, labAppDir, pingDocker, SYSCALL_HEADER } from '../../lab/lab.ts';

export { DOCKER, LAB_IMAGES, LAB_LABEL, labAppDir, SYSCALL_HEADER };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 50 ms until it gives a value; throws, naming `what`, past the timeout. */
export async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Waits until `url` answers 2xx (a server just started may not listen yet; wrk gives up at once on a refused connection). */
export function answers(url: string, timeoutMs = 10_000): Promise<true> {
  return until(`${url} answers`, async () => ((await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => undefined))?.ok === true ? true : undefined), timeoutMs);
}

/** The seccomp decisions the kernel has logged so far (SCMP_ACT_LOG writes audit type 1326). */
export function seccompLog(): string[] {
  return execFileSync('dmesg', { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\n').filter((l) => l.includes('type=1326'));
}

/** Resolves false (and skips the test) off a lab; throws when the lab should be there and is not. */
export async function inLab(t: TestContext): Promise<boolean> {
  if (!isRoot()) {
    t.skip('not root: this machine is not a lab (run as root, after `npm run lab:up`)');
    return false;
  }
  if (!(await pingDocker())) throw new Error('the Docker engine does not answer: run `npm run lab:up` first');
  return true;
}

export function docker(...args: string[]): string {
  return execFileSync(DOCKER, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Tenet's own images as deploy/Dockerfile builds them from this checkout (`console` or `defender`), on the lab's Debian. */
export const TENET_IMAGES = { console: 'tenet-lab/console:dev', defender: 'tenet-lab/defender:dev' } as const;

export function buildTenetImage(target: keyof typeof TENET_IMAGES): string {
  const build = spawnSync(DOCKER, ['build', '-q', '-f', 'deploy/Dockerfile', '--target', target, '--build-arg', `BASE=${LAB_IMAGES.debian}`, '--label', `${LAB_LABEL}=deploy`, '-t', TENET_IMAGES[target], '.'], {
    cwd: fileURLToPath(new URL('../../', import.meta.url)), encoding: 'utf8', env: { ...process.env, DOCKER_BUILDKIT: '0' }, timeout: 600_000,
  });
  if (build.status !== 0) throw new Error(`docker build --target ${target}: ${build.stderr}`);
  return TENET_IMAGES[target];
}

/** A call to the console's API over TLS (`auth`: user:password), trusting the console's own certificate. */
export function consoleCall(url: string, ca: string, auth: string, method = 'GET', body?: unknown): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(url, { method, ca, auth, timeout: 5000, headers: data === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer in 5 s`)));
    req.end(data);
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Waits until something accepts connections on 127.0.0.1:port. */
export async function waitForPort(port: number, child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before listening on ${port}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('connect', () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/** Debian's registry v2 server on a free loopback port, its storage in `dir`; `host` is `127.0.0.1:PORT`. */
export async function startRegistry(dir: string): Promise<{ host: string; stop: () => void }> {
  const port = await freePort();
  const config = join(dir, 'registry.yml');
  writeFileSync(config, `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'registry')}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const registry = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  await waitForPort(port, registry);
  return { host: `127.0.0.1:${port}`, stop: () => registry.kill() };
}
