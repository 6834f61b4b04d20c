import nodeV24X64 from './syscalls/node-v24-x64.json' with { type: 'json' };
import linuxX64 from './syscalls/linux-x64.json' with { type: 'json' };

/** What a Node.js API asks the kernel for, measured under strace by scripts/syscall-map. */
export interface NodeSyscallMap {
  node: string;
  arch: string;
  libc: string;
  tracer: string;
  /** Node's own start-up, event loop, threadpool and garbage collector. */
  baseline: string[];
  /** What each API (`fs.watch`, `net.createServer`) adds over the baseline. */
  apis: Record<string, string[]>;
}

/** Every measured map, newest Node.js first. */
export const NODE_SYSCALL_MAPS: readonly NodeSyscallMap[] = [nodeV24X64];
const MAPS = NODE_SYSCALL_MAPS;

/**
 * The map for a Node.js version and architecture: the exact version when there
 * is one, else the same major version (syscalls change little within a major).
 */
export function nodeSyscallMap(version: string, arch: string): NodeSyscallMap | undefined {
  const major = version.replace(/^v/, '').split('.')[0];
  const candidates = MAPS.filter((m) => m.arch === arch);
  return candidates.find((m) => m.node === version.replace(/^v/, '')) ?? candidates.find((m) => m.node.split('.')[0] === major);
}

/** Linux's syscall numbers on x86_64, from the kernel's own header. */
const LINUX_X64: ReadonlyMap<number, string> = new Map(Object.entries(linuxX64.names).map(([n, name]) => [Number(n), name]));
const LINUX_X64_NUMBERS: ReadonlyMap<string, number> = new Map([...LINUX_X64].map(([n, name]) => [name, n]));

/** The name of an x86_64 syscall number, as seccomp and strace spell it (`257` → `openat`). */
export function syscallName(number: number): string | undefined {
  return LINUX_X64.get(number);
}

export function isSyscallName(name: string): boolean {
  return LINUX_X64_NUMBERS.has(name);
}

/** The x86_64 number of a syscall (`openat` → `257`). */
export function syscallNumber(name: string): number | undefined {
  return LINUX_X64_NUMBERS.get(name);
}

/**
 * The older calls that do what a newer one does, which code that makes its own
 * syscalls (a native addon's allocator, a statically linked library) may use
 * where glibc would use the newer: `open` for `openat`, `stat` for `newfstatat`.
 */
export const LEGACY_CALLS: Readonly<Record<string, readonly string[]>> = {
  openat: ['open', 'creat'],
  newfstatat: ['stat', 'lstat'],
  statx: ['stat', 'lstat'],
  faccessat: ['access'],
  faccessat2: ['access'],
  pipe2: ['pipe'],
  dup3: ['dup2'],
  ppoll: ['poll', 'select'],
  pselect6: ['select'],
  epoll_pwait: ['epoll_wait'],
  epoll_create1: ['epoll_create'],
  eventfd2: ['eventfd'],
  inotify_init1: ['inotify_init'],
  mkdirat: ['mkdir'],
  unlinkat: ['unlink', 'rmdir'],
  renameat: ['rename'],
  renameat2: ['rename'],
  linkat: ['link'],
  symlinkat: ['symlink'],
  readlinkat: ['readlink'],
  fchmodat: ['chmod'],
  fchownat: ['chown', 'lchown'],
  utimensat: ['utimes', 'futimesat'],
  getdents64: ['getdents'],
  clone3: ['clone', 'fork', 'vfork'],
};

/** `names` with the older calls of each (LEGACY_CALLS), sorted. */
export function withLegacyCalls(names: Iterable<string>): string[] {
  const all = new Set(names);
  for (const name of [...all]) for (const old of LEGACY_CALLS[name] ?? []) all.add(old);
  return [...all].sort();
}
