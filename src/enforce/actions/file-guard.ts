import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { RuntimeEvent } from '../../model/index.ts';
import { ownMounts, parseMountInfo, readOnlyPlan, readOnlyScript, refusedBy, type ReadOnlyPlan, type RootView } from '../read-only.ts';
import type { Action, EnforcedContainer, Enforcer } from './enforcer.ts';
import { ADOPTED, NamespaceGuard, run } from './namespace-guard.ts';
import type { EnforcerStatus } from './status.ts';

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

interface Held {
  pid: number;
  key: string;
  plan: ReadOnlyPlan | undefined;
}

/**
 * File prevention: the folders of each prevented container's filesystem that
 * its model does not write to are made read-only in the container's own mount
 * namespace (see enforce/read-only.ts for what that guarantees). The mounts
 * are made again when the model's writable paths change and taken away when
 * the container leaves prevent; they are found again from the container's
 * mount table, so a defender started again takes over what the one before
 * left. A container that stops takes its namespace, and the mounts, with it.
 * Nothing is mounted on the host.
 */
export class FileGuard extends NamespaceGuard<readonly string[], Held> implements Enforcer<readonly string[]> {
  readonly name = 'file guard';

  protected async hold(container: EnforcedContainer, writable: readonly string[]): Promise<Held> {
    const view = viewOf(container.pid);
    const plan = readOnlyPlan(writable, view);
    await run('nsenter', ['-t', String(container.pid), '-m', '--root=/', '--wd=/', 'sh', '-s'], readOnlyScript(`/proc/${container.pid}/root`, view.mounts, plan));
    return { pid: container.pid, key: writable.join('\n'), plan };
  }

  protected async letGo(_id: string, held: Held): Promise<void> {
    const view = viewOf(held.pid);
    await run('nsenter', ['-t', String(held.pid), '-m', '--root=/', '--wd=/', 'sh', '-s'], readOnlyScript(`/proc/${held.pid}/root`, view.mounts, undefined));
  }

  /** Read-only folders left in running containers' mount namespaces are taken over: they stay until the first apply. */
  async adopt(containers: readonly EnforcedContainer[]): Promise<void> {
    for (const c of containers) {
      let mounts;
      try {
        mounts = parseMountInfo(readFileSync(`/proc/${c.pid}/mountinfo`, 'utf8'));
      } catch {
        continue; // gone
      }
      if (ownMounts(mounts).length > 0) this.take(c, { pid: c.pid, key: ADOPTED, plan: undefined });
    }
  }

  /** The read-only folder that refuses a write of a held container, as an action. */
  stops(container: string, event: RuntimeEvent): Action | undefined {
    const path = event.kind === 'write' ? event.file?.path : undefined;
    const held = path === undefined ? undefined : this.holding.get(container);
    if (held?.plan === undefined) return undefined;
    const folder = refusedBy(held.plan, resolveIn(`/proc/${held.pid}/root`, path!)?.path ?? path!);
    return folder === undefined ? undefined : { taken: 'write-refused', detail: `${folder} is read-only in the container: the write failed with EROFS; the process lives on` };
  }

  status(): EnforcerStatus {
    return { fileGuard: { containers: this.held } };
  }
}
