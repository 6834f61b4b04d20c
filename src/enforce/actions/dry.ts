import type { RuntimeEvent } from '../../model/index.ts';
import { dropsOut, type NftablesRuleset } from '../generators/index.ts';
import type { Action, Desired, Enforcer } from './enforcer.ts';
import { SeccompCheck, type SeccompTarget } from './seccomp-check.ts';
import type { EnforcerStatus } from './status.ts';

/** The defender's enforcement points: the three guards where the host allows them (root), the seccomp check, and block. */
export interface Enforcers {
  exec?: Enforcer<readonly string[]>;
  network?: Enforcer<NftablesRuleset>;
  files?: Enforcer<readonly string[]>;
  seccomp: Enforcer<SeccompTarget>;
  block: Enforcer<true>;
}

/**
 * An enforcement point that only says what it would do: it holds the
 * desired state it is given, in memory, and answers for an activity of a held
 * container the action prevent would take. A dry run's, and a test's.
 */
export class DryEnforcer<Target> implements Enforcer<Target> {
  readonly name: string;
  /** What it holds now, and each change it was asked to apply, in order (container ids). */
  desired: ReadonlyMap<string, Desired<Target>> = new Map();
  readonly changes: string[][] = [];
  private keys = '';
  private readonly answer: (target: Target, event: RuntimeEvent) => Action | undefined;
  private readonly targets = new Map<string, Target>();

  constructor(name: string, answer: (target: Target, event: RuntimeEvent) => Action | undefined) {
    this.name = name;
    this.answer = answer;
  }

  get held(): number {
    return this.desired.size;
  }

  async apply(desired: ReadonlyMap<string, Desired<Target>>): Promise<void> {
    const keys = [...desired].map(([id, d]) => `${id}\0${d.key}`).sort().join('\n');
    if (keys === this.keys) return;
    this.keys = keys;
    this.desired = new Map(desired);
    this.targets.clear();
    this.changes.push([...desired.keys()].sort());
  }

  stops(container: string, event: RuntimeEvent): Action | undefined {
    const d = this.desired.get(container);
    if (d === undefined) return undefined;
    let target = this.targets.get(container);
    if (target === undefined) this.targets.set(container, (target = d.target()));
    return this.answer(target, event);
  }

  status(): EnforcerStatus {
    return {};
  }

  async release(): Promise<void> {
    await this.apply(new Map());
  }
}

/** What each guard would do, said as the real ones say it. */
const KILLED: Action = { taken: 'process-killed', detail: 'the exec guard would kill it at exec, before its first instruction' };
const DROPPED: Action = { taken: 'connection-dropped', detail: 'the container\'s nftables table would drop it' };
const REFUSED: Action = { taken: 'write-refused', detail: 'a read-only folder would refuse it (files directly in / and mounts of their own are not covered)' };

/** Enforcers that do nothing and say what they would do; block stops nothing either. */
export function dryEnforcers(): Enforcers & { exec: DryEnforcer<readonly string[]>; network: DryEnforcer<NftablesRuleset>; files: DryEnforcer<readonly string[]>; block: DryEnforcer<true> } {
  return {
    exec: new DryEnforcer<readonly string[]>('exec guard', (_, event) => (event.kind === 'exec' ? KILLED : undefined)),
    network: new DryEnforcer<NftablesRuleset>('network guard', (ruleset, event) => (dropsOut(ruleset, event) ? DROPPED : undefined)),
    files: new DryEnforcer<readonly string[]>('file guard', (_, event) => (event.kind === 'write' ? REFUSED : undefined)),
    seccomp: new SeccompCheck(),
    block: new DryEnforcer<true>('block', () => undefined),
  };
}
