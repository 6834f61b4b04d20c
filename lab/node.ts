/**
 * The lab's Kubernetes-like node: a containerd of the lab's own (Debian's 1.6,
 * beside Docker's) with the CRI plugin and CNI pod networking on a bridge, the
 * lab images imported into its `k8s.io` namespace. Tests play the kubelet over
 * CRI_SOCKET. Registry pulls fail fast: every registry host resolves to an
 * address that refuses, so nothing leaves the machine. One file: start and
 * teardown share every path, name and rule, and tests import its constants.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Where the lab containerd keeps images and snapshots (kept by `down`, removed by `down --purge`). */
export const NODE_ROOT = '/var/lib/tenet-lab/containerd';
/** The lab containerd's state: task bundles, sandbox shm and netns mounts, its sockets. */
export const NODE_STATE = '/run/tenet-lab/containerd';
/** The lab containerd's gRPC socket: containerd's API and CRI (runtime.v1). */
export const CRI_SOCKET = `${NODE_STATE}/containerd.sock`;
/** The kubelet's containerd namespace, where the lab images are imported. */
export const CRI_NAMESPACE = 'k8s.io';
/** The sandbox ("pause") image: busybox sleeping forever. */
export const PAUSE_IMAGE = 'tenet-lab/pause:1';
/** The pod network: a bridge with host-local addresses, apart from Docker's 172.16.0.0/12 networks. */
export const CNI_BRIDGE = 'tenet-cni0';
export const CNI_SUBNET = '10.88.0.0/16';
/** The bridge's own address (host-local gives the subnet's first to the gateway): where pods reach the host. */
export const CNI_GATEWAY = '10.88.0.1';
export const CNI_NETWORK = 'tenet-lab';
/** Whether bridged IPv4 frames pass the host's netfilter (br_netfilter). */
export const BRIDGE_NF = '/proc/sys/net/bridge/bridge-nf-call-iptables';
/**
 * containerd's registry hosts folder (hosts.toml per host, `_default` for the rest, which
 * points at a refusing address); a test that pulls from its own registry adds `HOST_PORT_/hosts.toml`.
 */
export const CRI_REGISTRY_HOSTS_DIR = '/run/tenet-lab/node/certs.d';

const CONFIG_DIR = '/run/tenet-lab/node';
const CONFIG_FILE = join(CONFIG_DIR, 'config.toml');
const CNI_CONF_DIR = join(CONFIG_DIR, 'cni');
/** host-local's allocations, kept off /var/lib/cni so that `down` can drop them whole. */
const CNI_IPAM_DIR = '/run/tenet-lab/cni-ipam';
/** libcni's result cache, which CRI in 1.6 does not let us move. */
const LIBCNI_RESULTS = '/var/lib/cni/results';
const CONTAINERD_LOG = '/var/log/tenet-lab-containerd.log';
const REFUSING_REGISTRY = 'http://127.0.0.1:1';
const RULE_COMMENT: readonly string[] = ['-m', 'comment', '--comment', 'tenet-lab node'];
/**
 * Docker sets FORWARD to DROP and bridged traffic goes through iptables: accept what goes into the
 * pod bridge (pod to pod, host ports) and the replies coming out; pods start no traffic off the bridge.
 */
const FORWARD_RULES: readonly (readonly string[])[] = [
  ['-o', CNI_BRIDGE, ...RULE_COMMENT, '-j', 'ACCEPT'],
  ['-i', CNI_BRIDGE, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', ...RULE_COMMENT, '-j', 'ACCEPT'],
];
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/** What the node needs of lab.ts, passed in (lab.ts imports this module). */
export interface NodeLab {
  run: (command: string, args: string[]) => string;
  log: (message: string) => void;
  /** Where the pid file goes. */
  runDir: string;
  /** The Docker client, for `docker save`. */
  docker: string;
}

/**
 * An image tag as containerd stores it (and as `ctr run` needs it): the docker.io
 * domain and `library/` added as Docker's reference rules say, `:latest` when untagged.
 */
export function criImageRef(tag: string): string {
  const slash = tag.indexOf('/');
  const first = slash < 0 ? '' : tag.slice(0, slash);
  const hasDomain = first.includes('.') || first.includes(':') || first === 'localhost';
  const named = hasDomain ? tag : `docker.io/${slash < 0 ? 'library/' : ''}${tag}`;
  const lastPart = named.slice(named.lastIndexOf('/') + 1);
  return lastPart.includes(':') || lastPart.includes('@') ? named : `${named}:latest`;
}

function containerdConfig(): string {
  const cri = '[plugins."io.containerd.grpc.v1.cri"';
  return `# Written by lab/node.ts at each lab up: the lab's own containerd, beside Docker's.
version = 2
root = "${NODE_ROOT}"
state = "${NODE_STATE}"

[grpc]
  address = "${CRI_SOCKET}"

[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "${NODE_ROOT}/opt"
  ${cri}]
    sandbox_image = "${criImageRef(PAUSE_IMAGE)}"
    # no CAP_SYS_RESOURCE here: runc would fail to set the sandbox's oom_score_adj
    restrict_oom_score_adj = true
    # so that down finds the pods' network namespaces under the state folder
    netns_mounts_under_state_dir = true
    ${cri}.containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      ${cri}.containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        ${cri}.containerd.runtimes.runc.options]
          # PID 1 is not systemd here
          SystemdCgroup = false
    ${cri}.cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "${CNI_CONF_DIR}"
    ${cri}.registry]
      config_path = "${CRI_REGISTRY_HOSTS_DIR}"
`;
}

function cniConfig(): string {
  return `${JSON.stringify({
    cniVersion: '1.0.0',
    name: CNI_NETWORK,
    plugins: [
      {
        type: 'bridge',
        bridge: CNI_BRIDGE,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: CNI_SUBNET }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: CNI_IPAM_DIR },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  }, null, 2)}\n`;
}

/** containerd 1.6 ignores a hosts.toml without a [host] table and then tries the real registry. */
const REGISTRY_HOSTS = `server = "${REFUSING_REGISTRY}"\n\n[host."${REFUSING_REGISTRY}"]\n  capabilities = ["pull", "resolve"]\n`;

/** Writes `text` to `path` unless it already holds it; true when it changed. */
function writeIfChanged(path: string, text: string): boolean {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return true;
}

interface Outcome { ok: boolean; out: string; err: string }

function attempt(command: string, args: string[], timeoutMs = 60_000): Outcome {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  return { ok: result.status === 0, out: result.stdout ?? '', err: (result.stderr || result.error?.message) ?? '' };
}

/** `ctr` on the lab socket; a missing socket makes ctr retry for 10 s, so it is checked first. */
function ctr(args: string[]): Outcome {
  if (!existsSync(CRI_SOCKET)) return { ok: false, out: '', err: `no socket at ${CRI_SOCKET}` };
  return attempt('ctr', ['--address', CRI_SOCKET, '--connect-timeout', '2s', ...args]);
}

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function criReady(): boolean {
  if (!ctr(['version']).ok) return false;
  const plugins = ctr(['plugins', 'ls']);
  return plugins.ok && /^io\.containerd\.grpc\.v1\s+cri\s+\S+\s+ok\s*$/m.test(plugins.out);
}

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

function pids(): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
}

/** The lab containerd's pid: the pid file's, or (pid file lost) the process started with the lab's config. */
function daemonPid(lab: NodeLab): number | undefined {
  const isDaemon = (pid: number) => {
    const args = cmdline(pid);
    return basename(args[0] ?? '') === 'containerd' && args.includes(CONFIG_FILE);
  };
  const pidFile = join(lab.runDir, 'containerd.pid');
  const recorded = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : NaN;
  if (Number.isInteger(recorded) && isDaemon(recorded)) return recorded;
  return pids().find(isDaemon);
}

/** The runc shims of the lab containerd, which outlive it. */
function shimPids(): number[] {
  return pids().filter((pid) => {
    const args = cmdline(pid);
    return basename(args[0] ?? '').startsWith('containerd-shim') && args[args.indexOf('-address') + 1] === CRI_SOCKET;
  });
}

function logTail(): string {
  return existsSync(CONTAINERD_LOG) ? readFileSync(CONTAINERD_LOG, 'utf8').slice(-3000) : '';
}

async function startDaemon(lab: NodeLab): Promise<void> {
  lab.log(`starting the lab containerd (socket: ${CRI_SOCKET}, log: ${CONTAINERD_LOG})`);
  mkdirSync(lab.runDir, { recursive: true });
  const out = openSync(CONTAINERD_LOG, 'a');
  const child = spawn('/usr/bin/containerd', ['--config', CONFIG_FILE], { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  writeFileSync(join(lab.runDir, 'containerd.pid'), `${child.pid}\n`);
  child.unref();
  await waitReady(() => child.exitCode === null && child.signalCode === null);
}

async function waitReady(alive: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && alive()) {
    if (criReady()) return;
    await sleep(200);
  }
  const why = alive() ? `did not show the cri plugin ok within ${READY_TIMEOUT_MS / 1000} s` : 'exited';
  throw new Error(`the lab containerd ${why}; see ${CONTAINERD_LOG}:\n${logTail()}`);
}

function ensureForwardRules(lab: NodeLab): void {
  for (const rule of FORWARD_RULES) {
    if (!attempt('iptables', ['-C', 'FORWARD', ...rule]).ok) lab.run('iptables', ['-I', 'FORWARD', ...rule]);
  }
}

/** The bridge's frames pass the host's netfilter, as a Kubernetes node needs them to (a Service's reply between pods of one bridge is rewritten back there). */
function ensureBridgeNetfilter(lab: NodeLab): void {
  if (!existsSync(BRIDGE_NF)) lab.run('modprobe', ['br_netfilter']);
  if (readFileSync(BRIDGE_NF, 'utf8').trim() !== '1') writeFileSync(BRIDGE_NF, '1\n');
}

/** Image refs in the lab namespace and the manifest each points at. */
function storedImages(): Map<string, string> {
  const listed = ctr(['-n', CRI_NAMESPACE, 'images', 'ls']);
  if (!listed.ok) throw new Error(`ctr images ls: ${listed.err.trim()}`);
  return new Map(lines(listed.out).slice(1).map((line) => {
    const [ref = '', , digest = ''] = line.split(/\s+/);
    return [ref, digest];
  }));
}

/** The config digest (Docker's image id, CRI's image id) of the image whose manifest or index is `digest`. */
function configDigest(digest: string): string | undefined {
  const content = ctr(['-n', CRI_NAMESPACE, 'content', 'get', digest]);
  if (!content.ok) return undefined;
  const doc = JSON.parse(content.out) as { config?: { digest?: string }; manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[] };
  if (doc.config?.digest) return doc.config.digest;
  const manifest = doc.manifests?.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64') ?? doc.manifests?.[0];
  return manifest ? configDigest(manifest.digest) : undefined;
}

/**
 * Imports each of `tags` from Docker (`docker save | ctr images import`) unless the lab
 * namespace already holds it with Docker's image id; then checks the ids are Docker's.
 */
function importImages(lab: NodeLab, tags: readonly string[]): void {
  const dockerIds = lines(lab.run(lab.docker, ['image', 'inspect', '--format', '{{.Id}}', ...tags]));
  const configs = new Map<string, string | undefined>();
  const configOf = (digest: string | undefined) => {
    if (digest === undefined) return undefined;
    if (!configs.has(digest)) configs.set(digest, configDigest(digest));
    return configs.get(digest);
  };
  const before = storedImages();
  const stale = tags.filter((tag, i) => configOf(before.get(criImageRef(tag))) !== dockerIds[i]);
  if (stale.length === 0) return;
  lab.log(`importing ${stale.join(', ')} into the lab containerd (${CRI_NAMESPACE})`);
  lab.run('bash', ['-o', 'pipefail', '-c', 'docker="$1" socket="$2" ns="$3"; shift 3; "$docker" save "$@" | ctr --address "$socket" -n "$ns" images import -',
    'import', lab.docker, CRI_SOCKET, CRI_NAMESPACE, ...stale]);
  const after = storedImages();
  const wrong = tags.filter((tag, i) => configOf(after.get(criImageRef(tag))) !== dockerIds[i]);
  if (wrong.length > 0) throw new Error(`the lab containerd's image ids differ from Docker's for ${wrong.join(', ')}`);
  // CRI names each image also by its id; drop the ids that no tag points at any more.
  const current = new Set([...after].filter(([ref]) => !ref.startsWith('sha256:')).map(([, digest]) => configOf(digest)));
  for (const tag of stale) {
    const old = configOf(before.get(criImageRef(tag)));
    if (old !== undefined && !current.has(old) && after.has(old)) ctr(['-n', CRI_NAMESPACE, 'images', 'rm', old]);
  }
}

/**
 * Starts the lab containerd (once: a second call only checks it), with its
 * config, CNI network and registry hosts, its FORWARD rules, and `images`
 * imported into `k8s.io` with Docker's image ids.
 */
export async function startNode(lab: NodeLab, images: readonly string[]): Promise<void> {
  // a containerd that died is started again: it takes its running shims (and so its pods) back
  let pid = daemonPid(lab);
  const writeConfig = () => {
    writeIfChanged(join(CNI_CONF_DIR, `10-${CNI_NETWORK}.conflist`), cniConfig());
    writeIfChanged(join(CRI_REGISTRY_HOSTS_DIR, '_default', 'hosts.toml'), REGISTRY_HOSTS);
    // CRI reads the CNI and registry folders as they change; only containerd's own config needs a restart
    return writeIfChanged(CONFIG_FILE, containerdConfig());
  };
  if (writeConfig() && pid !== undefined) {
    lab.log('the lab containerd\'s config changed: restarting it');
    await stopNode(lab, false);
    pid = undefined;
    writeConfig();
  }
  if (pid === undefined) {
    await startDaemon(lab);
  } else {
    const running = pid;
    await waitReady(() => daemonPid(lab) === running);
  }
  ensureForwardRules(lab);
  ensureBridgeNetfilter(lab);
  importImages(lab, images);
}

/** Kills and removes every task and container in every namespace of the lab containerd (CRI pods included); how many. */
async function removeContainers(): Promise<number> {
  let removed = 0;
  for (const ns of lines(ctr(['namespaces', 'ls', '-q']).out)) {
    const ids = lines(ctr(['-n', ns, 'containers', 'ls', '-q']).out);
    if (ids.length === 0) continue;
    const tasks = () => lines(ctr(['-n', ns, 'tasks', 'ls']).out).slice(1).map((line) => line.split(/\s+/));
    for (const [id = '', , status] of tasks()) if (status !== 'STOPPED') ctr(['-n', ns, 'tasks', 'kill', '-a', '-s', 'SIGKILL', id]);
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (Date.now() < deadline && tasks().some(([, , status]) => status !== 'STOPPED')) await sleep(100);
    // CRI deletes a sandbox's task itself once it exits: a delete that finds nothing is fine
    for (const [id = ''] of tasks()) ctr(['-n', ns, 'tasks', 'delete', '-f', id]);
    ctr(['-n', ns, 'containers', 'rm', ...ids]);
    const left = lines(ctr(['-n', ns, 'containers', 'ls', '-q']).out);
    if (left.length > 0) throw new Error(`the lab containerd kept containers in ${ns}: ${left.join(', ')}`);
    removed += ids.length;
  }
  return removed;
}

/** Sends `name` to `pid`, which may have exited meanwhile. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function stopDaemon(lab: NodeLab, pid: number): Promise<void> {
  lab.log(`stopping the lab containerd (pid ${pid})`);
  const alive = () => cmdline(pid).length > 1;
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (Date.now() < deadline && alive()) await sleep(100);
  if (alive()) {
    lab.log(`the lab containerd did not stop within ${STOP_TIMEOUT_MS / 1000} s: SIGKILL`);
    signal(pid, 'SIGKILL');
    const killed = Date.now() + STOP_TIMEOUT_MS;
    while (Date.now() < killed && alive()) await sleep(100);
    if (alive()) throw new Error(`the lab containerd (pid ${pid}) outlived SIGKILL`);
  }
}

/** Mount points under the lab containerd's root and state, deepest first. */
function nodeMounts(): string[] {
  const unescape = (path: string) => path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  const under = (path: string) => [NODE_ROOT, NODE_STATE].some((dir) => path === dir || path.startsWith(`${dir}/`));
  return lines(readFileSync('/proc/mounts', 'utf8')).map((line) => unescape(line.split(' ')[1] ?? '')).filter(under)
    .sort((a, b) => b.length - a.length);
}

function unmountAll(lab: NodeLab): void {
  for (const path of nodeMounts()) {
    if (!attempt('umount', [path]).ok) lab.run('umount', ['-l', path]);
  }
  const left = nodeMounts();
  if (left.length > 0) throw new Error(`still mounted: ${left.join(', ')}`);
}

/** Shell-like words of an `iptables -S` line (comments come quoted). */
function words(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

function removeNetwork(lab: NodeLab): void {
  for (const rule of FORWARD_RULES) {
    while (attempt('iptables', ['-C', 'FORWARD', ...rule]).ok) lab.run('iptables', ['-D', 'FORWARD', ...rule]);
  }
  // portmap's chains (CNI-HOSTPORT-*, CNI-DN-*) outlive pods whose CNI DEL never ran; only the lab uses CNI here
  const nat = lines(attempt('iptables', ['-t', 'nat', '-S']).out);
  const chains = nat.filter((line) => line.startsWith('-N CNI-')).map((line) => line.slice(3));
  if (chains.length > 0) {
    for (const rule of nat.filter((line) => line.startsWith('-A ') && !line.startsWith('-A CNI-') && / -j CNI-/.test(line))) {
      attempt('iptables', ['-t', 'nat', '-D', ...words(rule).slice(1)]);
    }
    for (const chain of chains) attempt('iptables', ['-t', 'nat', '-F', chain]);
    for (const chain of chains) attempt('iptables', ['-t', 'nat', '-X', chain]);
  }
  // a pod's veth goes with its network namespace; one whose namespace lingers goes here
  for (const line of lines(attempt('ip', ['-o', 'link', 'show', 'master', CNI_BRIDGE]).out)) {
    const name = /^\d+:\s+([^@:\s]+)/.exec(line)?.[1];
    if (name) attempt('ip', ['link', 'delete', name]);
  }
  if (attempt('ip', ['link', 'show', 'dev', CNI_BRIDGE]).ok) lab.run('ip', ['link', 'delete', CNI_BRIDGE]);
  rmSync(CNI_IPAM_DIR, { recursive: true, force: true });
  if (existsSync(LIBCNI_RESULTS)) {
    for (const entry of readdirSync(LIBCNI_RESULTS)) {
      const id = new RegExp(`^${CNI_NETWORK}-([0-9a-f]+)-eth0$`).exec(entry)?.[1];
      if (id === undefined) continue;
      rmSync(join(LIBCNI_RESULTS, entry), { force: true });
      rmSync(join(LIBCNI_RESULTS, `cni-loopback-${id}-lo`), { force: true });
    }
  }
  for (const dir of [LIBCNI_RESULTS, dirname(LIBCNI_RESULTS)]) removeIfEmpty(dir);
}

function removeIfEmpty(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
}

/**
 * Removes every pod and container of the lab containerd, stops it, and
 * removes what it leaves: mounts, the pod bridge, FORWARD and portmap rules,
 * CNI state, its state folder; `purge` also removes its root (images).
 */
export async function stopNode(lab: NodeLab, purge: boolean): Promise<void> {
  let pid = daemonPid(lab);
  // shims outlive containerd: a containerd started again takes them back, and then their tasks can be killed
  if (pid === undefined && shimPids().length > 0 && existsSync(CONFIG_FILE)) {
    await startDaemon(lab);
    pid = daemonPid(lab);
  }
  if (pid !== undefined) {
    const removed = await removeContainers();
    if (removed > 0) lab.log(`removed ${removed} containers (pods included) from the lab containerd`);
    await stopDaemon(lab, pid);
  }
  for (const shim of shimPids()) {
    lab.log(`killing a shim the lab containerd left (pid ${shim})`);
    signal(shim, 'SIGKILL');
  }
  unmountAll(lab);
  removeNetwork(lab);
  rmSync(NODE_STATE, { recursive: true, force: true });
  rmSync(CONFIG_DIR, { recursive: true, force: true });
  rmSync(join(lab.runDir, 'containerd.pid'), { force: true });
  // runc's state for the k8s.io namespace is under containerd's default runc root
  removeIfEmpty('/run/containerd/runc/k8s.io');
  if (purge) {
    rmSync(NODE_ROOT, { recursive: true, force: true });
    removeIfEmpty(dirname(NODE_ROOT));
  }
  if (pid !== undefined) lab.log(purge ? 'the lab containerd is down; its images removed' : 'the lab containerd is down');
}
