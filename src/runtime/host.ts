import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { cgroup2Mount, cgroupIdOf, containerPids, listeningSockets, type ListeningSocket } from './containers.ts';

/** What the host says of a process of a container, read from /proc. */
export interface ProcessFacts {
  pid: number;
  path?: string;
  /** The file it runs, links resolved (for drift). */
  exe?: string;
  name?: string;
  argv?: string[];
  /** The container runtime itself (`runc init` joining the container before it runs the command): not the container's behaviour. */
  runtime?: boolean;
}

/**
 * What the defender reads of the host itself (/proc, the cgroup tree, a
 * container's writable layer), behind one seam: the real /proc, or the
 * answers a recording kept, in a replay.
 */
export interface Host {
  /** The file a process runs, every link resolved; undefined once it is gone. */
  exe(pid: number): string | undefined;
  /** A process the sensor saw before its exec (it ran before the defender), as /proc has it. */
  process(pid: number): ProcessFacts;
  /** The processes of a container now, from its cgroup (the main one first). */
  pids(mainPid: number): number[];
  /** What a process's network namespace listens on. */
  listening(pid: number): ListeningSocket[];
  /** The cgroup v2 id of a process (what the sensor reports). */
  cgroupId(pid: number): string | undefined;
  /** Whether a path is in a container's writable layer (as this process reaches it): written after it started. */
  inUpperDir(upperDir: string, path: string): boolean;
  /** The DNS resolver a process's container uses (its `/etc/resolv.conf`); undefined when it cannot be read. */
  resolver(pid: number): ResolverConf | undefined;
}

/** What a container's `/etc/resolv.conf` says: the servers it asks, and the domains it completes short names with. */
export interface ResolverConf {
  servers: string[];
  search: string[];
}

/**
 * A resolv.conf read as the C library reads it: every `nameserver` (at most
 * three are used), and the last `search` or `domain` line (a later one
 * replaces an earlier one); comments start with `#` or `;`.
 */
export function parseResolvConf(text: string): ResolverConf {
  const servers: string[] = [];
  let search: string[] = [];
  for (const raw of text.split('\n')) {
    const [key, ...values] = raw.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (key === 'nameserver' && values[0] !== undefined && servers.length < 3) servers.push(values[0]);
    else if (key === 'search' || key === 'domain') search = values.map((d) => d.toLowerCase().replace(/\.$/, '')).filter((d) => d !== '');
  }
  return { servers, search };
}

function readExe(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

/**
 * Where this process finds the host's files: `/` when it shares the host's
 * mount namespace, else the root of the host's first process
 * (`/proc/1/root`), which a defender in a container with the host's PIDs
 * reaches; `/` when that cannot be read. A runtime found by its process is
 * reached through its own root instead (runtimeProcesses).
 */
export function hostRoot(proc = '/proc'): string {
  try {
    return readlinkSync(`${proc}/self/ns/mnt`) === readlinkSync(`${proc}/1/ns/mnt`) ? '' : `${proc}/1/root`;
  } catch {
    // PID 1's namespace cannot be read (no host PIDs): the host's paths are not reachable otherwise
    return '';
  }
}

/** The host this process runs on, read from /proc (the cgroup mount found once). */
export function procHost(): Host {
  const mount = cgroup2Mount();
  return {
    exe: readExe,
    process(pid) {
      const path = readExe(pid);
      if (path === undefined) return { pid };
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
        const runtime = (argv[0]?.endsWith('runc') === true && argv[1] === 'init') || path === '/' || path.startsWith('/memfd:');
        return { pid, path, exe: path, name: path.slice(path.lastIndexOf('/') + 1), argv, ...(runtime && { runtime }) };
      } catch {
        return { pid, path, exe: path };
      }
    },
    pids: (mainPid) => containerPids(mainPid, mount),
    listening: listeningSockets,
    cgroupId: (pid) => cgroupIdOf(pid, mount),
    inUpperDir: (upperDir, path) => existsSync(`${upperDir}${path}`),
    resolver(pid) {
      try {
        return parseResolvConf(readFileSync(`/proc/${pid}/root/etc/resolv.conf`, 'utf8'));
      } catch {
        return undefined;
      }
    },
  };
}
