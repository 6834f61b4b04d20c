/**
 * The lab: a real Docker engine, tracefs, bpftrace, nftables, a few real
 * images and a Kubernetes-like node (lab/node.ts), set up on this machine by
 * `npm run lab:up` (idempotent) and stopped by `npm run lab:down`. Images are built once per machine: each carries a label
 * with the hash of its recipe and is rebuilt only when the recipe changes; the
 * Debian root filesystems are also kept as tarballs under CACHE_DIR, so a wiped
 * Docker store is refilled in seconds.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NodeLab, PAUSE_IMAGE, startNode, stopNode } from './node.ts';
import { postgresBin } from './postgres.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const CACHE_DIR = '/var/cache/tenet-lab';
const RUN_DIR = '/run/tenet-lab';
const DOCKERD_LOG = '/var/log/tenet-lab-dockerd.log';
export const DOCKER_SOCKET = '/var/run/docker.sock';
/** The Debian client matches the Debian engine; another client may sit earlier on PATH. */
export const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
export const RECIPE_LABEL = 'dev.tenet.lab.recipe';
/** Containers and networks that tests create carry this label, so `lab:down` can find them. */
export const LAB_LABEL = 'dev.tenet.lab';
const MIRROR = 'http://deb.debian.org/debian';
const SUITE = 'bookworm';

/** Commands the lab needs, and the Debian package that provides each. */
const TOOLS: Record<string, string> = {
  dockerd: 'docker.io',
  containerd: 'containerd',
  ctr: 'containerd',
  iptables: 'iptables',
  bpftrace: 'bpftrace',
  nft: 'nftables',
  debootstrap: 'debootstrap',
  'docker-registry': 'docker-registry',
  skopeo: 'skopeo',
  'docker-compose': 'docker-compose',
  sha256sum: 'coreutils',
  npm: 'npm',
  strace: 'strace',
  wrk: 'wrk',
  'redis-benchmark': 'redis-tools',
  apparmor_parser: 'apparmor',
  chromium: 'chromium',
};
const BUSYBOX_STATIC = '/bin/busybox';
/** The CNI plugins the lab containerd's pods are networked with (a Recommends of docker.io, so not always there). */
const CNI_BRIDGE_PLUGIN = '/usr/lib/cni/bridge';

interface DebianImage {
  kind: 'debian';
  tag: string;
  packages: string[];
  /** `docker import -c` changes: CMD, EXPOSE, USER… */
  changes: string[];
}
interface DockerfileImage {
  kind: 'dockerfile';
  tag: string;
  /** Fills the build context folder and returns the Dockerfile text. */
  context: (dir: string) => string;
  /** What the recipe depends on beyond the Dockerfile text (file contents, versions). */
  inputs: () => string[];
}
/** An app from lab/apps: its dependencies installed from npm by its lock file, built with its own Dockerfile. */
interface AppImage {
  kind: 'app';
  tag: string;
  app: string;
}
type LabImage = DebianImage | DockerfileImage | AppImage;

/** x86_64 syscall numbers by name, as the kernel's headers define them. */
export const SYSCALL_HEADER = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h';

/** The lab's images, by tag. Later images may build FROM earlier ones. */
export const LAB_IMAGES = {
  busybox: 'tenet-lab/busybox:1',
  pause: PAUSE_IMAGE,
  debian: 'tenet-lab/debian:bookworm',
  nginx: 'tenet-lab/nginx:bookworm',
  redis: 'tenet-lab/redis:bookworm',
  node: 'tenet-lab/node:24',
  nodeApp: 'tenet-lab/node-app:1',
  nodeApp2: 'tenet-lab/node-app:2',
  httpServer: 'tenet-lab/http-server:14.1.1',
  jsonServer: 'tenet-lab/json-server:0.17.4',
  express: 'tenet-lab/express-app:1',
  nodeRed: 'tenet-lab/node-red:5.0.7',
  verdaccio: 'tenet-lab/verdaccio:6.10.4',
  mockoon: 'tenet-lab/mockoon:9.9.0',
  jest: 'tenet-lab/jest:30.5.2',
  vite: 'tenet-lab/vite:8.4.1',
  eslint: 'tenet-lab/eslint:10.16.0',
  shopWeb: 'tenet-lab/shop-web:1',
  shopApi: 'tenet-lab/shop-api:1',
  shopWorker: 'tenet-lab/shop-worker:1',
} as const;

const NODE_APP_DIR = join(HERE, 'images', 'node-app');
const NODE_APP_2_DIR = join(HERE, 'images', 'node-app-2');
const SHOP_DIR = join(HERE, 'shop', 'app');

/** A Node.js program of this repository on the lab's Node.js image: a folder copied to `target`, run as user 1000 with `node script`. */
function nodeImage(tag: string, source: string, target: string, script: string, port?: number, env: readonly string[] = []): DockerfileImage {
  return {
    kind: 'dockerfile',
    tag,
    inputs: () => folderInputs(source),
    context: (dir) => {
      cpSync(source, join(dir, 'app'), { recursive: true });
      return [
        `FROM ${LAB_IMAGES.node}`,
        `COPY app ${target}`,
        `WORKDIR ${target}`,
        ...env.map((e) => `ENV ${e}`),
        ...(port !== undefined ? [`EXPOSE ${port}`] : []),
        'USER 1000:1000',
        `CMD ["node", "${script}"]`,
      ].join('\n');
    },
  };
}

/** A service of the shop (lab/shop): its code, with the service's own command, so each service has its own image and model. */
const shopImage = (tag: string, script: string, port?: number) => nodeImage(tag, SHOP_DIR, '/srv/shop', script, port);
const APPS_DIR = join(HERE, 'apps');

/** The files of an app folder (its node_modules aside), sorted, with their hashes: what its install depends on. */
function folderInputs(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(path);
      } else {
        files.push(`${path} ${sha256File(join(root, path))}`);
      }
    }
  };
  walk('.');
  return files;
}

/** Where `installedApp` keeps a copy of the app folder `source` with its dependencies. */
export function installedAppDir(source: string, cacheRoot: string): string {
  const hash = createHash('sha256').update(JSON.stringify(folderInputs(source))).digest('hex').slice(0, 16);
  return join(cacheRoot, `${basename(source)}-${hash}`);
}

/**
 * A copy of the app folder `source` with its dependencies installed by its lock
 * file (`npm ci`; the only traffic is to the npm registry), once per content.
 */
export function installedApp(source: string, cacheRoot: string): string {
  const dir = installedAppDir(source, cacheRoot);
  if (existsSync(dir)) return dir;
  const part = `${dir}.part`;
  rmSync(part, { recursive: true, force: true });
  cpSync(source, part, { recursive: true, filter: (path) => !path.includes('/node_modules') });
  log(`npm ci for ${basename(source)}`);
  run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', part]);
  run('mv', [part, dir]);
  return dir;
}

/** A lab app with its dependencies: the build context of its image, and the folder tests analyse as its code. */
export function labAppDir(app: string): string {
  return installedAppDir(join(APPS_DIR, app), join(CACHE_DIR, 'apps'));
}

const IMAGES: LabImage[] = [
  {
    kind: 'dockerfile',
    tag: LAB_IMAGES.busybox,
    inputs: () => [sha256File(BUSYBOX_STATIC)],
    context: (dir) => {
      copyFileSync(BUSYBOX_STATIC, join(dir, 'busybox'));
      return [
        'FROM scratch',
        'COPY busybox /bin/busybox',
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
        'CMD ["/bin/sh"]',
      ].join('\n');
    },
  },
  {
    // the lab containerd's pod sandbox: CRI needs a local image whose command never ends
    kind: 'dockerfile',
    tag: LAB_IMAGES.pause,
    inputs: () => [sha256File(BUSYBOX_STATIC)],
    context: () => [`FROM ${LAB_IMAGES.busybox}`, 'CMD ["/bin/sleep", "infinity"]'].join('\n'),
  },
  { kind: 'debian', tag: LAB_IMAGES.debian, packages: [], changes: ['CMD ["/bin/bash"]'] },
  {
    kind: 'debian',
    tag: LAB_IMAGES.nginx,
    packages: ['nginx-light'],
    changes: ['CMD ["nginx", "-g", "daemon off;"]', 'EXPOSE 80'],
  },
  {
    kind: 'debian',
    tag: LAB_IMAGES.redis,
    packages: ['redis-server'],
    changes: ['CMD ["redis-server", "--protected-mode", "no"]', 'EXPOSE 6379', 'USER redis', 'WORKDIR /var/lib/redis'],
  },
  {
    kind: 'dockerfile',
    tag: LAB_IMAGES.node,
    inputs: () => [sha256File(process.execPath)],
    context: (dir) => {
      copyFileSync(process.execPath, join(dir, 'node'));
      return [`FROM ${LAB_IMAGES.debian}`, 'COPY node /usr/local/bin/node', 'CMD ["node"]'].join('\n');
    },
  },
  nodeImage(LAB_IMAGES.nodeApp, NODE_APP_DIR, '/srv/app', 'server.js', 3000, ['PORT=3000']),
  nodeImage(LAB_IMAGES.nodeApp2, NODE_APP_2_DIR, '/srv/app', 'server.js', 3000, ['PORT=3000']),
  { kind: 'app', tag: LAB_IMAGES.httpServer, app: 'http-server' },
  { kind: 'app', tag: LAB_IMAGES.jsonServer, app: 'json-server' },
  { kind: 'app', tag: LAB_IMAGES.express, app: 'express' },
  { kind: 'app', tag: LAB_IMAGES.nodeRed, app: 'node-red' },
  { kind: 'app', tag: LAB_IMAGES.verdaccio, app: 'verdaccio' },
  { kind: 'app', tag: LAB_IMAGES.mockoon, app: 'mockoon' },
  { kind: 'app', tag: LAB_IMAGES.jest, app: 'jest' },
  { kind: 'app', tag: LAB_IMAGES.vite, app: 'vite' },
  { kind: 'app', tag: LAB_IMAGES.eslint, app: 'eslint' },
  shopImage(LAB_IMAGES.shopWeb, 'web.js', 8080),
  shopImage(LAB_IMAGES.shopApi, 'api.js', 3000),
  shopImage(LAB_IMAGES.shopWorker, 'worker.js'),
];

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function recipeHash(image: LabImage): string {
  const parts = image.kind === 'debian' ? [SUITE, 'minbase', ...image.packages, ...image.changes]
    : image.kind === 'app' ? [image.app, ...folderInputs(join(APPS_DIR, image.app))]
    : [image.context.toString(), ...image.inputs()];
  return createHash('sha256').update(JSON.stringify([image.tag, ...parts])).digest('hex').slice(0, 16);
}

function log(message: string): void {
  console.log(`lab: ${message}`);
}

function run(command: string, args: string[], options: { input?: Buffer | string; quiet?: boolean } = {}): string {
  const result = spawnSync(command, args, {
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}:\n${(result.stderr || result.stdout).trim().slice(-4000)}`);
  }
  return result.stdout;
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function installTools(): void {
  const missing = Object.entries(TOOLS).filter(([tool]) => !hasCommand(tool)).map(([, pkg]) => pkg);
  if (!existsSync(BUSYBOX_STATIC) || !run('file', ['-b', BUSYBOX_STATIC]).includes('statically')) missing.push('busybox-static');
  if (!hasCommand('file')) missing.push('file');
  if (!existsSync(CNI_BRIDGE_PLUGIN)) missing.push('containernetworking-plugins');
  // the PostgreSQL store's tests start their own server from Debian's programs
  if (postgresBin() === undefined) missing.push('postgresql');
  // The kernel's syscall numbers, to name what raw_syscalls tracepoints report.
  if (!existsSync(SYSCALL_HEADER)) missing.push('linux-libc-dev');
  const packages = [...new Set(missing)];
  if (packages.length === 0) return;
  log(`installing ${packages.join(', ')}`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function mountTracefs(): void {
  if (spawnSync('mountpoint', ['-q', '/sys/kernel/tracing']).status === 0) return;
  log('mounting tracefs');
  run('mount', ['-t', 'tracefs', 'tracefs', '/sys/kernel/tracing']);
}

/** True when the engine answers `GET /_ping` on its socket. */
export function pingDocker(socketPath = DOCKER_SOCKET, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

async function startDocker(): Promise<void> {
  if (await pingDocker()) return;
  log(`starting dockerd (log: ${DOCKERD_LOG})`);
  mkdirSync(RUN_DIR, { recursive: true });
  const out = openSync(DOCKERD_LOG, 'a');
  const child = spawn('dockerd', [], { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  writeFileSync(join(RUN_DIR, 'dockerd.pid'), `${child.pid}\n`);
  child.unref();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await pingDocker()) return;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`dockerd did not answer within 60 s; see ${DOCKERD_LOG}:\n${readFileSync(DOCKERD_LOG, 'utf8').slice(-2000)}`);
}

function imageRecipe(tag: string): string | undefined {
  const result = spawnSync(DOCKER, ['image', 'inspect', '--format', `{{index .Config.Labels "${RECIPE_LABEL}"}}`, tag], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function buildDebian(image: DebianImage, hash: string): void {
  const name = image.tag.replace(/[/:]/g, '_');
  const rootfsTar = join(CACHE_DIR, `${name}-${hash}.tar`);
  if (!existsSync(rootfsTar)) {
    const root = mkdtempSync(join(tmpdir(), 'tenet-lab-rootfs-'));
    const debs = join(CACHE_DIR, 'debs');
    mkdirSync(debs, { recursive: true });
    try {
      log(`debootstrap ${SUITE} ${image.packages.join(' ') || '(minbase)'} for ${image.tag}`);
      const include = image.packages.length > 0 ? [`--include=${image.packages.join(',')}`] : [];
      run('debootstrap', ['--variant=minbase', `--cache-dir=${debs}`, ...include, SUITE, root, MIRROR]);
      // Package lists and caches are not part of what the image is meant to hold.
      for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists']) {
        for (const entry of readdirSync(join(root, dir))) {
          if (entry.endsWith('.deb') || entry.endsWith('_Packages') || entry.endsWith('Release')) rmSync(join(root, dir, entry), { force: true });
        }
      }
      run('tar', ['--numeric-owner', '--xattrs', '-C', root, '-cf', `${rootfsTar}.part`, '.']);
      run('mv', [`${rootfsTar}.part`, rootfsTar]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  log(`importing ${image.tag}`);
  const changes = [...image.changes, `LABEL ${RECIPE_LABEL}=${hash}`].flatMap((c) => ['-c', c]);
  run(DOCKER, ['import', ...changes, rootfsTar, image.tag]);
}

function buildDockerfile(image: DockerfileImage, hash: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'tenet-lab-build-'));
  try {
    const dockerfile = `${image.context(dir)}\nLABEL ${RECIPE_LABEL}=${hash}\n`;
    writeFileSync(join(dir, 'Dockerfile'), dockerfile);
    log(`building ${image.tag}`);
    run('env', ['DOCKER_BUILDKIT=0', DOCKER, 'build', '-q', '-t', image.tag, dir]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function buildApp(image: AppImage, hash: string): void {
  const dir = installedApp(join(APPS_DIR, image.app), join(CACHE_DIR, 'apps'));
  log(`building ${image.tag}`);
  run('env', ['DOCKER_BUILDKIT=0', DOCKER, 'build', '-q', '--label', `${RECIPE_LABEL}=${hash}`, '-t', image.tag, dir]);
}

function buildImages(): void {
  mkdirSync(CACHE_DIR, { recursive: true });
  for (const image of IMAGES) {
    const hash = recipeHash(image);
    if (image.kind === 'app') installedApp(join(APPS_DIR, image.app), join(CACHE_DIR, 'apps'));
    if (imageRecipe(image.tag) === hash) continue;
    if (image.kind === 'debian') buildDebian(image, hash);
    else if (image.kind === 'app') buildApp(image, hash);
    else buildDockerfile(image, hash);
  }
}

function nodeLab(): NodeLab {
  return { run, log, runDir: RUN_DIR, docker: DOCKER };
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

async function up(): Promise<void> {
  const started = Date.now();
  installTools();
  mountTracefs();
  await startDocker();
  buildImages();
  await startNode(nodeLab(), Object.values(LAB_IMAGES));
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${Object.values(LAB_IMAGES).join(', ')}`);
}

async function down(purge: boolean): Promise<void> {
  // Docker's part is torn down even when the lab containerd's fails; the failure is reported after it
  const nodeDown = await stopNode(nodeLab(), purge).then(() => undefined, (error: unknown) => error);
  if (await pingDocker()) {
    const ids = run(DOCKER, ['ps', '-aq', '--filter', `label=${LAB_LABEL}`]).split('\n').filter(Boolean);
    if (ids.length > 0) run(DOCKER, ['rm', '-f', ...ids]);
    const networks = run(DOCKER, ['network', 'ls', '-q', '--filter', `label=${LAB_LABEL}`]).split('\n').filter(Boolean);
    if (networks.length > 0) run(DOCKER, ['network', 'rm', ...networks]);
    if (purge) {
      const images = Object.values(LAB_IMAGES).filter((tag) => imageRecipe(tag) !== undefined).reverse();
      if (images.length > 0) run(DOCKER, ['rmi', '-f', ...images]);
    }
  }
  const pidFile = join(RUN_DIR, 'dockerd.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    try {
      process.kill(pid, 'SIGTERM');
      log(`stopping dockerd (pid ${pid})`);
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && (await pingDocker())) await new Promise((r) => setTimeout(r, 250));
    } catch {
      // already gone
    }
    rmSync(pidFile, { force: true });
  }
  if (purge) rmSync(CACHE_DIR, { recursive: true, force: true });
  if (nodeDown !== undefined) throw nodeDown;
  log(purge ? 'down; images and cache removed' : 'down; images kept for the next lab:up');
}

const USAGE = `Usage: node lab/lab.ts up [--if-root] | down [--purge]

up      install dockerd, containerd, CNI plugins, bpftrace, nftables, debootstrap…;
        mount tracefs; start dockerd; build the lab images (once per machine);
        start the lab's own containerd with CRI and CNI pod networking (socket
        /run/tenet-lab/containerd/containerd.sock, pods on bridge tenet-cni0,
        10.88.0.0/16) and import the lab images into its k8s.io namespace (only
        those missing or changed). Needs root.
        --if-root: on a machine where this is not root, say so and do nothing.
down    remove the lab containerd's pods and containers and stop it (its mounts,
        bridge and iptables rules go too); remove the lab's Docker containers and
        networks and stop the dockerd that up started. --purge also removes the
        lab images, their cache and the lab containerd's store.`;

async function main(args: string[]): Promise<number> {
  const [command, ...flags] = args;
  if (command !== 'up' && command !== 'down') {
    console.error(USAGE);
    return 2;
  }
  if (!isRoot()) {
    if (flags.includes('--if-root')) {
      log('not root: this machine is not a lab; lab tests will be skipped');
      return 0;
    }
    console.error('lab: needs root (dockerd, tracefs, bpftrace and nftables all do)');
    return 1;
  }
  if (command === 'up') await up();
  else await down(flags.includes('--purge'));
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (error: Error) => {
    console.error(`lab: ${error.message}`);
    process.exit(1);
  });
}
