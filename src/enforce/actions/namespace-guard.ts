import { spawn } from 'node:child_process';
import type { Desired, EnforcedContainer } from './enforcer.ts';

/** Runs a command with `input` on its standard input (none without); rejects with its standard error when it fails. */
export function run(file: string, args: readonly string[], input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${file} ${args.join(' ')}: ${err.trim() || `exit ${code}`}`))));
    if (child.stdin !== null) {
      // a command that ends before it read its input (it failed): its exit code says so, not the broken pipe
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    }
  });
}

/** The key of what a defender before this one left in place: never a key of a target, so the first apply replaces it or takes it away. */
export const ADOPTED = '\0adopted';

/**
 * What the guards that work inside containers' own namespaces share: what
 * each container is held to (with the pid whose namespaces were entered),
 * changes to one container applied in order, a failed change said and the
 * container let go, and everything let go when the defender stops. A
 * container that stops takes its namespaces, and what was put there, with it.
 */
export abstract class NamespaceGuard<Target, Held extends { pid: number; key: string }> {
  abstract readonly name: string;
  protected readonly holding = new Map<string, Held>();
  /** The key each container was last asked to hold (its change may still be under way). */
  private readonly wanted = new Map<string, string>();
  private readonly queues = new Map<string, Promise<void>>();
  protected readonly onDiagnostic: (line: string) => void;

  constructor(onDiagnostic: (line: string) => void) {
    this.onDiagnostic = onDiagnostic;
  }

  /** Puts a container's target in place (replacing what it had). */
  protected abstract hold(container: EnforcedContainer, target: Target): Promise<Held>;
  /** Takes what a container was held to away. */
  protected abstract letGo(id: string, held: Held): Promise<void>;

  get held(): number {
    return this.holding.size;
  }

  apply(desired: ReadonlyMap<string, Desired<Target>>): Promise<void> {
    const changes: Array<Promise<void>> = [];
    for (const [id, d] of desired) {
      if (this.wanted.get(id) === d.key) continue;
      this.wanted.set(id, d.key);
      changes.push(this.change(id, async () => {
        this.holding.set(id, await this.hold(d.container, d.target()));
      }));
    }
    for (const id of [...this.wanted.keys()]) {
      if (desired.has(id)) continue;
      this.wanted.delete(id);
      changes.push(this.change(id, async () => {
        const held = this.holding.get(id);
        if (held === undefined) return;
        this.holding.delete(id);
        await this.letGo(id, held);
      }));
    }
    return Promise.all(changes).then(() => undefined);
  }

  /** Applies a change to one container after the ones before it; a change that fails lets the container go (and is tried again at the next apply). */
  private change(id: string, work: () => Promise<void>): Promise<void> {
    const next = (this.queues.get(id) ?? Promise.resolve()).then(work).catch((e: Error) => {
      this.holding.delete(id);
      this.wanted.delete(id);
      this.onDiagnostic(`${this.name}: ${e.message}`);
    });
    this.queues.set(id, next);
    return next;
  }

  /** Marks a container as held with what a defender before this one left, for the first apply to replace or take away. */
  protected take(container: EnforcedContainer, held: Held): void {
    this.holding.set(container.id, held);
    this.wanted.set(container.id, ADOPTED);
  }

  /** A container that stopped: its namespaces are gone, and what was held there with them. */
  forget(id: string): void {
    this.holding.delete(id);
    this.wanted.delete(id);
    this.queues.delete(id);
  }

  /** Lets every held container go (the defender stops). */
  async release(): Promise<void> {
    await this.apply(new Map());
    await Promise.all(this.queues.values());
  }
}
