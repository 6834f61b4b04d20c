import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { CriClient } from './cri/client.ts';
import { engineGet, engineSocket } from './engine.ts';
import { hostRoot } from './host.ts';

/**
 * A container runtime to follow: the Docker engine (its API), or a runtime's
 * CRI socket (containerd, CRI-O). `root` is where this process finds the
 * runtime's files (its content store, its containers' writable layers): ''
 * in the same mount namespace, `/proc/PID/root` through the runtime's own
 * process; unsaid, the host's root (hostRoot()).
 */
export type RuntimeSpec = { kind: 'docker'; socket?: string; root?: string } | { kind: 'cri'; socket: string; root?: string };

/** The sockets where a Kubernetes node's runtimes serve CRI, by default. */
export const CRI_SOCKETS: readonly string[] = ['/run/containerd/containerd.sock', '/run/crio/crio.sock'];

/** The daemons whose sockets are runtimes Tenet follows, by process name: the Docker engine's API, or CRI. */
const RUNTIME_DAEMONS: Readonly<Record<string, RuntimeSpec['kind']>> = { dockerd: 'docker', containerd: 'cri', crio: 'cri' };

/** `docker`, `docker:SOCKET` or `cri:SOCKET`; undefined for anything else. */
export function parseRuntime(text: string): RuntimeSpec | undefined {
  if (text === 'docker') return { kind: 'docker' };
  const colon = text.indexOf(':');
  const kind = text.slice(0, colon);
  const socket = text.slice(colon + 1);
  if (colon <= 0 || socket === '') return undefined;
  if (kind === 'docker') return { kind, socket };
  if (kind === 'cri') return { kind, socket };
  return undefined;
}

/** A runtime daemon running on this host, with the unix sockets it listens on, as paths this process can reach. */
export interface RuntimeProcess {
  pid: number;
  name: string;
  kind: RuntimeSpec['kind'];
  sockets: string[];
  /** Where its files are found from here: '' in this mount namespace, else its root. */
  root: string;
}

function readOr(path: string, fallback = ''): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

function linkOr(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The unix sockets a process listens on, by path as it names them: its open
 * sockets (`/proc/PID/fd`) that its network namespace lists as listening
 * (`/proc/PID/net/unix`, flag `__SO_ACCEPTCON`).
 */
function listeningUnixSockets(proc: string, pid: number): string[] {
  let fds: string[];
  try {
    fds = readdirSync(`${proc}/${pid}/fd`);
  } catch {
    return [];
  }
  const inodes = new Set(fds.flatMap((fd) => /^socket:\[(\d+)\]$/.exec(linkOr(`${proc}/${pid}/fd/${fd}`) ?? '')?.[1] ?? []));
  const paths: string[] = [];
  for (const line of readOr(`${proc}/${pid}/net/unix`).split('\n').slice(1)) {
    // Num RefCount Protocol Flags Type St Inode Path
    const f = line.trim().split(/\s+/);
    const path = f[7];
    if (path === undefined || !path.startsWith('/') || (parseInt(f[3] ?? '0', 16) & 0x10000) === 0 || !inodes.has(f[6] ?? '')) continue;
    paths.push(path);
  }
  return [...new Set(paths)].sort();
}

/**
 * The runtime daemons of this host found by their processes (dockerd,
 * containerd, crio), wherever their sockets are (a k3s or MicroK8s node's
 * containerd, a runtime with its own configuration). A daemon in another
 * mount namespace than this process (the defender in a pod, with the host's
 * PIDs) is reached through its root: `/proc/PID/root/run/containerd/containerd.sock`.
 */
export function runtimeProcesses(proc = '/proc'): RuntimeProcess[] {
  const ownMounts = linkOr(`${proc}/self/ns/mnt`);
  const found: RuntimeProcess[] = [];
  for (const entry of readdirSync(proc)) {
    if (!/^\d+$/.test(entry)) continue;
    const name = readOr(`${proc}/${entry}/comm`).trim();
    const kind = RUNTIME_DAEMONS[name];
    if (kind === undefined) continue;
    const pid = Number(entry);
    const sameMounts = ownMounts !== undefined && linkOr(`${proc}/${pid}/ns/mnt`) === ownMounts;
    const root = sameMounts ? '' : `${proc}/${pid}/root`;
    const sockets = listeningUnixSockets(proc, pid).map((path) => `${root}${path}`);
    if (sockets.length > 0) found.push({ pid, name, kind, sockets, root });
  }
  return found.sort((a, b) => a.pid - b.pid);
}

/** Whether a socket serves CRI (a containerd with its CRI plugin off, as Docker's own, does not). */
async function servesCri(socket: string): Promise<boolean> {
  const client = new CriClient(socket, { timeoutMs: 2_000 });
  try {
    await client.runtime('Version', 'VersionRequest', 'VersionResponse', { version: 'v1' });
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

/** Whether a socket serves the Docker Engine API (dockerd also listens on its plugins' and metrics' sockets). */
async function servesEngine(socket: string): Promise<boolean> {
  try {
    const res = await engineGet('/_ping', socket);
    res.resume();
    return true;
  } catch {
    return false;
  }
}

/** The file a socket path names, as `device:inode` (the same socket reached by two paths is one), or undefined when there is none. */
function identity(path: string): string | undefined {
  try {
    const s = statSync(path);
    return s.isSocket() ? `${s.dev}:${s.ino}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The runtimes of this host, when none is named: the Docker engine and the
 * standard CRI sockets where they are, then every socket of a runtime daemon
 * found by its process; each socket once, and only those that answer the API
 * they are for. The Docker engine alone when none is found (its absence is
 * then said by the first listing).
 */
export async function detectRuntimes(log: (line: string) => void = () => {}, proc = '/proc'): Promise<RuntimeSpec[]> {
  const candidates: Array<{ spec: RuntimeSpec; standard: boolean }> = [
    { spec: { kind: 'docker' as const }, standard: true },
    ...CRI_SOCKETS.map((socket) => ({ spec: { kind: 'cri' as const, socket }, standard: true })),
    ...runtimeProcesses(proc).flatMap(({ kind, sockets, root }) => sockets.map((socket) => ({ spec: { kind, socket, root } as RuntimeSpec, standard: false }))),
  ];
  const seen = new Map<string, RuntimeSpec>();
  const unique = candidates.filter(({ spec }) => {
    const socket = spec.socket ?? engineSocket();
    // containerd's ttrpc socket is for its shims, never an API Tenet speaks (and a gRPC call there only times out)
    const id = socket.endsWith('.ttrpc') ? undefined : identity(socket);
    if (id === undefined) return false;
    const first = seen.get(id);
    // a standard socket also found by its daemon's process: the daemon says where its files are
    if (first !== undefined && first.root === undefined && spec.root !== undefined) first.root = spec.root;
    if (first !== undefined) return false;
    seen.set(id, spec);
    return true;
  });
  const answers = await Promise.all(unique.map(({ spec }) => (spec.kind === 'cri' ? servesCri(spec.socket) : servesEngine(spec.socket ?? engineSocket()))));
  const found = unique.filter((c, i) => {
    // a daemon's other sockets (containerd's debug, dockerd's plugins) are not news; a standard one that does not answer is
    if (!answers[i] && c.standard) log(`containers: ${c.spec.socket ?? engineSocket()} does not serve ${c.spec.kind === 'cri' ? 'CRI' : 'the Docker Engine API'}; not followed`);
    return answers[i];
  }).map((c) => c.spec);
  return found.length > 0 ? found : [{ kind: 'docker' }];
}

/**
 * Runtimes named on the command line, as this process reaches them: a
 * socket is the host's path, found where it is or else under the host's root
 * (a defender in a pod that mounts no socket), and a runtime whose daemon is
 * found by its process has its files found through that daemon's root.
 */
export function locateRuntimes(specs: readonly RuntimeSpec[], proc = '/proc'): RuntimeSpec[] {
  const host = hostRoot(proc);
  const daemons = runtimeProcesses(proc).flatMap((p) => p.sockets.map((socket) => ({ id: identity(socket), root: p.root })));
  return specs.map((spec) => {
    const named = spec.socket ?? engineSocket();
    const socket = host !== '' && !existsSync(named) && existsSync(`${host}${named}`) ? `${host}${named}` : named;
    const id = identity(socket);
    const root = spec.root ?? daemons.find((d) => d.id !== undefined && d.id === id)?.root;
    return { ...spec, ...((spec.socket !== undefined || socket !== named) && { socket }), ...(root !== undefined && { root }) } as RuntimeSpec;
  });
}
