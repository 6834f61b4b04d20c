import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { parseMountInfo, readOnlyPlan, readOnlyScript, refusedBy, type ReadOnlyPlan, type RootView } from '../enforce/index.ts';
import { NamespaceGuard, run } from './namespace-guard.ts';

/**
 * A path of a container (seen through `root`) with its links followed as the
 * container would, and whether it exists (the part that does not is kept as
 * it is); undefined past 40 links.
 */
export function resolveIn(root: string, path: string): { path: string; exists: boolean } | undefined {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  const done: string[] = [];
  for (let hops = 0; parts.length > 0;) {
    const part = parts.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const here = `${root}/${[...done, part].join('/')}`;
    const stat = lstatSync(here, { throwIfNoEntry: false });
    if (stat === undefined) return { path: `/${[...done, part, ...parts].join('/')}`, exists: false };
    if (!stat.isSymbolicLink()) {
      done.push(part);
      continue;
    }
    if (++hops > 40) return undefined;
    const target = readlinkSync(here);
    if (target.startsWith('/')) done.length = 0;
    parts.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
  }
  return { path: `/${done.join('/')}`, exists: true };
}

/** A running container's root, read from the host through /proc. */
function viewOf(pid: number): RootView {
  const root = `/proc/${pid}/root`;
  return {
    dirs: readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name),
    mounts: parseMountInfo(readFileSync(`/proc/${pid}/mountinfo`, 'utf8')),
    find: (path) => {
      const found = resolveIn(root, path);
      return found?.exists === true ? found.path : undefined;
    },
  };
}

/**
 * File prevention: the folders of each prevented container's filesystem that
 * its model does not write to are made read-only in the container's own mount
 * namespace (see enforce/read-only.ts for what that guarantees). The mounts
 * are made again when the model's writable paths change and taken away when
 * the container leaves prevent; a container that stops takes its namespace,
 * and the mounts, with it. Nothing is mounted on the host.
 */
export class FileGuard extends NamespaceGuard<{ pid: number; writable: string; plan: ReadOnlyPlan }, readonly string[]> {
  constructor(onDiagnostic: (line: string) => void) {
    super('file guard', onDiagnostic);
  }

  /** Holds a container's files to its model's writable paths (undefined: lets them go). */
  hold(id: string, pid: number, writable: readonly string[] | undefined): Promise<void> {
    const key = writable?.join('\n');
    if (key === this.held.get(id)?.writable) return this.pending(id);
    return this.change(id, async () => {
      const view = viewOf(pid);
      const plan = writable === undefined ? undefined : readOnlyPlan(writable, view);
      await run('nsenter', ['-t', String(pid), '-m', '--root=/', '--wd=/', 'sh', '-s'], readOnlyScript(`/proc/${pid}/root`, view.mounts, plan));
      if (plan === undefined) this.held.delete(id);
      else this.held.set(id, { pid, writable: key!, plan });
    });
  }

  /** The read-only folder that refused a write of a held container to `path` (undefined: not refused). */
  refusedBy(id: string, path: string): string | undefined {
    const held = this.held.get(id);
    if (held === undefined) return undefined;
    return refusedBy(held.plan, resolveIn(`/proc/${held.pid}/root`, path)?.path ?? path);
  }
}
