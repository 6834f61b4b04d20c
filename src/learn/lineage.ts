import type { IntentModel, RuntimeEvent } from '../model/index.ts';
import { KNOWN, type Verdict } from './verdict.ts';

/** Parents kept per program, at most: a program started by more is started by anything (`*`). */
const MAX_PARENTS = 16;

/**
 * The container runtime's own programs: whichever of them starts a container's first process or a healthcheck
 * (runc in one run, the shim in another, conmon under CRI-O, Docker's init) is the same parent to the container.
 */
const RUNTIME = /^(runc|crun|youki|runsc|conmon|docker-init|containerd-shim(-[\w-]+)?|runc:\[.*\])$/;
/** The parent the container runtime's programs all are. */
const RUNTIME_PARENT = '(container runtime)';

/** A parent as models keep it: its name, or the container runtime for any of the runtime's programs. */
function parentClass(name: string): string {
  return RUNTIME.test(name) ? RUNTIME_PARENT : name;
}

/** The program that started an event's process (`nginx`, or the container runtime), when the sensor knew it. */
export function parentName(event: RuntimeEvent): string | undefined {
  const parent = event.process?.parent;
  const name = parent?.path ?? parent?.name;
  return name === undefined || name === '' ? undefined : parentClass(name.slice(name.lastIndexOf('/') + 1));
}

/**
 * The programs seen starting each program of a model, by name. Once the
 * model is active, an allowed program started by a parent it never saw start
 * it is a deviation — where parents were learned at all: most models never
 * learn one, and hold no table until they do.
 */
export class Lineage {
  private parents: Map<string, Set<string>> | undefined;

  /** A program's start seen while learning: its parent is learned. */
  learn(program: string, event: RuntimeEvent): void {
    const parent = parentName(event);
    if (parent === undefined) return;
    let parents = this.parents?.get(program);
    if (parents === undefined) (this.parents ??= new Map()).set(program, (parents = new Set()));
    parents.add(parents.size < MAX_PARENTS ? parent : '*');
  }

  /** An allowed program's new parent taken into the model (the learn mode), where it has parents. */
  accept(program: string, event: RuntimeEvent): void {
    const parent = parentName(event);
    if (parent !== undefined) this.parents?.get(program)?.add(parent);
  }

  /** An allowed program started by a parent its model never saw start it: a deviation (when parents were learned at all). */
  judge(program: string, event: RuntimeEvent): Verdict {
    const parents = this.parents?.get(program);
    if (parents === undefined || parents.has('*')) return KNOWN;
    const parent = parentName(event);
    if (parent === undefined || parents.has(parent)) return KNOWN;
    return { outcome: 'deviation', dimension: 'processes', entry: program, parent };
  }

  /** The parents a stored model kept, joined to these. */
  carry(model: IntentModel): void {
    // a model stored before the runtime's programs were one parent names them one by one
    for (const p of model.processes) if (p.parents !== undefined) (this.parents ??= new Map()).set(p.path, new Set([...(this.parents.get(p.path) ?? []), ...p.parents.map(parentClass)]));
  }

  /** A program's parents, sorted, if any were learned. */
  of(program: string): string[] | undefined {
    const parents = this.parents?.get(program);
    return parents === undefined ? undefined : [...parents].sort();
  }

  forget(program: string): void {
    this.parents?.delete(program);
  }

  clear(): void {
    this.parents = undefined;
  }
}
