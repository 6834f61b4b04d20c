import { checkSeccomp } from '../generators/index.ts';
import type { Desired, Enforcer } from './enforcer.ts';
import type { EnforcerStatus, SeccompReport } from './status.ts';

/** What a container's syscalls are held to: the profile it runs, and its model's syscalls. */
export interface SeccompTarget {
  /** The profile it runs: `unconfined`, the profile's JSON, or undefined for the runtime's default. */
  setting: string | undefined;
  privileged: boolean;
  model: string;
  syscalls: readonly string[];
}

/**
 * Seccomp cannot be put on a running process from outside: for containers
 * whose syscalls are prevented, whether they run their model's profile, and
 * if not what they run instead, until they are started again with it.
 */
export class SeccompCheck implements Enforcer<SeccompTarget> {
  readonly name = 'seccomp check';
  private reports = new Map<string, SeccompReport & { key: string }>();

  get held(): number {
    return this.reports.size;
  }

  async apply(desired: ReadonlyMap<string, Desired<SeccompTarget>>): Promise<void> {
    const reports = new Map<string, SeccompReport & { key: string }>();
    for (const [id, d] of desired) {
      const known = this.reports.get(id);
      if (known?.key === d.key) {
        reports.set(id, known);
        continue;
      }
      const target = d.target();
      reports.set(id, { key: d.key, container: id, name: d.container.name, model: target.model, ...checkSeccomp(target.setting, target.privileged, target.syscalls) });
    }
    this.reports = reports;
  }

  stops(): undefined {
    return undefined;
  }

  status(): EnforcerStatus {
    return this.reports.size === 0 ? {} : { seccomp: [...this.reports.values()].map(({ key: _, ...report }) => report) };
  }

  async release(): Promise<void> {
    this.reports = new Map();
  }
}
