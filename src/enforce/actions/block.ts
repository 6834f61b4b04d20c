import type { ContainerSource } from '../../runtime/index.ts';
import type { Action, Desired, Enforcer } from './enforcer.ts';
import type { EnforcerStatus } from './status.ts';

/** What block does to a container. */
export const STOPPED: Action = { taken: 'container-stopped', detail: 'block mode: the container was stopped' };

/**
 * Block mode: a container with a deviation is stopped (once, however many
 * deviations come while it stops), through its runtime. Opt-in only.
 */
export class Blocker implements Enforcer<true> {
  readonly name = 'block';
  private readonly stopping = new Set<string>();
  /** Containers stopped so far. */
  stopped = 0;
  private readonly source: ContainerSource;
  private readonly onDiagnostic: (line: string) => void;

  constructor(source: ContainerSource, onDiagnostic: (line: string) => void) {
    this.source = source;
    this.onDiagnostic = onDiagnostic;
  }

  get held(): number {
    return this.stopping.size;
  }

  async apply(desired: ReadonlyMap<string, Desired<true>>): Promise<void> {
    const stops: Array<Promise<void>> = [];
    for (const [id, d] of desired) {
      if (this.stopping.has(id)) continue;
      this.stopping.add(id);
      this.stopped++;
      this.onDiagnostic(`block: stopping ${d.container.name} (${d.key})`);
      stops.push(this.source.stop(id, 1)
        .catch((e: Error) => this.onDiagnostic(`block: cannot stop ${d.container.name}: ${e.message}`))
        .finally(() => this.stopping.delete(id)));
    }
    await Promise.all(stops);
  }

  stops(): undefined {
    return undefined;
  }

  status(): EnforcerStatus {
    return {};
  }

  async release(): Promise<void> {
    // a stop under way finishes on its own: the runtime has it
  }
}
