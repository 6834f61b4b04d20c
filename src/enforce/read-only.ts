/**
 * File prevention: the folders of a container's own filesystem that its model
 * does not write to are made read-only in the container's mount namespace, the
 * model's writable paths inside them left writable. A write there fails with
 * EROFS in the kernel, whoever makes it, and the process lives on.
 *
 * What it guarantees: a file opened for writing, created, renamed, removed or
 * given new permissions under a protected folder fails, for every process of
 * the container, root included (remounting needs CAP_SYS_ADMIN and the mount
 * syscall, which containers do not have by default). What it does not cover:
 * files directly in `/`, mounts of their own (volumes, tmpfs, `/proc`, `/sys`,
 * `/dev`, the runtime's `/etc/hosts`), and files already open for writing
 * before the folder was protected (they keep writing).
 */

/** A line of `/proc/PID/mountinfo`, as far as prevention reads it. */
export interface MountInfo {
  /** major:minor of the filesystem. */
  device: string;
  /** The folder of that filesystem the mount shows. */
  root: string;
  /** Where it is mounted, seen from the process's root. */
  mountPoint: string;
}

/** The mounts of a `/proc/PID/mountinfo` (its octal escapes undone). */
export function parseMountInfo(text: string): MountInfo[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const mounts: MountInfo[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    if (fields.length < 5) continue;
    mounts.push({ device: fields[2]!, root: unescape(fields[3]!), mountPoint: unescape(fields[4]!) });
  }
  return mounts;
}

/** A container's root as the planner sees it. */
export interface RootView {
  /** The entries of `/` that are folders (not links to folders). */
  dirs: readonly string[];
  mounts: readonly MountInfo[];
  /** A path of the container with its links followed; undefined when it does not exist yet. */
  find(path: string): string | undefined;
}

export interface ReadOnlyPlan {
  /** Top-level folders made read-only, e.g. `/etc`. */
  protect: string[];
  /** Paths inside them left writable: the model writes there. */
  holes: string[];
  /** Mount points inside protected folders: they keep their own flags. */
  mounted: string[];
  /** Top-level folders left as they were, and why. */
  open: Array<{ path: string; reason: string }>;
}

const within = (path: string, folder: string) => folder === '/' || path === folder || path.startsWith(`${folder}/`);

/** The fixed part of a path entry: `/var/log/nginx/*` → `/var/log/nginx`, `*` (anything) → `/`. */
export function stem(entry: string): string {
  if (!entry.startsWith('/')) return '/';
  const glob = entry.search(/[*?[]/);
  const fixed = glob < 0 ? entry.replace(/\/+$/, '') : entry.slice(0, entry.lastIndexOf('/', glob));
  return fixed === '' ? '/' : fixed;
}

const parent = (path: string) => path.slice(0, path.lastIndexOf('/')) || '/';
const topOf = (path: string) => `/${path.split('/')[1]}`;

/**
 * Bind mounts of a container's own root filesystem onto its own paths: the
 * ones a previous plan made (a runtime never makes them), found again even
 * after a restart of the defender.
 */
export function ownMounts(mounts: readonly MountInfo[]): MountInfo[] {
  const root = mounts.find((m) => m.mountPoint === '/');
  if (root === undefined) return [];
  return mounts.filter((m) => m.mountPoint !== '/' && m.device === root.device && m.root === m.mountPoint);
}

/** Which folders to protect for a model's writable entries, and which paths inside them to leave writable. */
export function readOnlyPlan(writable: readonly string[], view: RootView): ReadOnlyPlan {
  const own = new Set(ownMounts(view.mounts).map((m) => m.mountPoint));
  const mountPoints = view.mounts.map((m) => m.mountPoint).filter((p) => p !== '/' && !own.has(p));
  const open = new Map<string, string>();
  const holes = new Set<string>();
  for (const entry of writable) {
    const fixed = stem(entry);
    if (fixed === '/') {
      for (const dir of view.dirs) open.set(`/${dir}`, `the model writes anywhere (${entry})`);
      continue;
    }
    // a path not made yet: the nearest folder that exists is left writable
    let path = fixed;
    let found = view.find(path);
    while (found === undefined && path !== '/') found = view.find(path = parent(path));
    const hole = found ?? '/';
    if (hole === '/') continue;
    const top = topOf(hole);
    if (hole === top) {
      if (view.dirs.includes(top.slice(1))) open.set(top, `the model writes to it (${entry})`);
    } else if (!mountPoints.some((m) => within(hole, m))) holes.add(hole);
  }
  const protect: string[] = [];
  for (const dir of [...view.dirs].sort()) {
    const path = `/${dir}`;
    if (mountPoints.includes(path)) open.set(path, 'a mount of its own');
    else if (!open.has(path)) protect.push(path);
  }
  const sorted = [...holes].sort();
  return {
    protect,
    holes: sorted.filter((h) => protect.includes(topOf(h)) && !sorted.some((o) => o !== h && within(h, o))),
    mounted: mountPoints.filter((m) => protect.some((p) => m !== p && within(m, p))).sort(),
    open: [...open].map(([path, reason]) => ({ path, reason })).sort((a, b) => a.path.localeCompare(b.path)),
  };
}

/** The protected folder that refuses a write to `path` (undefined: the write is not refused). */
export function refusedBy(plan: ReadOnlyPlan, path: string): string | undefined {
  if (!path.startsWith('/')) return undefined;
  const folder = plan.protect.find((p) => within(path, p));
  if (folder === undefined || plan.holes.some((h) => within(path, h)) || plan.mounted.some((m) => within(path, m))) return undefined;
  return folder;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A shell script, run in the container's mount namespace with the host's root
 * (`nsenter -t PID -m --root=/`), that takes the previous plan's mounts away
 * and puts the plan's in place; `root` is the container's root seen from
 * there (`/proc/PID/root`). Paths are not canonicalised: they would resolve to
 * the host's. An undefined plan only takes the mounts away.
 */
export function readOnlyScript(root: string, current: readonly MountInfo[], plan: ReadOnlyPlan | undefined): string {
  const at = (path: string) => quote(`${root}${path}`);
  const own = ownMounts(current).map((m) => m.mountPoint);
  // a lazy unmount of a folder takes the writable paths inside it along
  const lines = ['set -e', ...own.filter((p) => !own.some((o) => o !== p && within(p, o))).map((p) => `umount --no-canonicalize -l ${at(p)}`)];
  const bind = (path: string, flag: 'ro' | 'rw') => [
    `mount --no-canonicalize --rbind ${at(path)} ${at(path)}`,
    `mount --no-canonicalize -o remount,bind,${flag} ${at(path)}`,
  ];
  if (plan !== undefined) {
    for (const path of plan.protect) lines.push(...bind(path, 'ro'));
    for (const path of plan.holes) lines.push(...bind(path, 'rw'));
  }
  return `${lines.join('\n')}\n`;
}
