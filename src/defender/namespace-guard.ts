import { spawn } from 'node:child_process';

/** Runs a command with `input` on its standard input; rejects with its standard error when it fails. */
export function run(file: string, args: readonly string[], input = ''): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${file} ${args.join(' ')}: ${err.trim() || `exit ${code}`}`))));
    child.stdin.end(input);
  });
}

/**
 * What the guards that work inside containers' own namespaces share: what
 * each container is held to (with the pid whose namespaces were entered),
 * changes to one container applied in order, a failed change said and the
 * container let go, and everything let go when the defender stops. A
 * container that stops takes its namespaces, and what was put there, with it.
 */
export abstract class NamespaceGuard<Held extends { pid: number }, Target> {
  protected readonly held = new Map<string, Held>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly name: string;
  private readonly onDiagnostic: (line: string) => void;

  constructor(name: string, onDiagnostic: (line: string) => void) {
    this.name = name;
    this.onDiagnostic = onDiagnostic;
  }

  /** Holds a container to a target (undefined: lets it go). */
  abstract hold(id: string, pid: number, target: Target | undefined): Promise<void>;

  /** The changes to one container not yet applied. */
  protected pending(id: string): Promise<void> {
    return this.queues.get(id) ?? Promise.resolve();
  }

  /** Applies a change to one container after the ones before it; a change that fails lets the container go. */
  protected change(id: string, apply: () => Promise<void>): Promise<void> {
    const next = (this.queues.get(id) ?? Promise.resolve()).then(apply).catch((e: Error) => {
      this.held.delete(id);
      this.onDiagnostic(`${this.name}: ${e.message}`);
    });
    this.queues.set(id, next);
    return next;
  }

  get containers(): number {
    return this.held.size;
  }

  /** A container that stopped: its namespaces are gone, and what was held there with them. */
  forget(id: string): void {
    this.held.delete(id);
    this.queues.delete(id);
  }

  /** Lets every held container go (the defender stops). */
  async release(): Promise<void> {
    await Promise.all([...this.held].map(([id, h]) => this.hold(id, h.pid, undefined)));
  }
}
