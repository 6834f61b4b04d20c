import { nftablesRuleset, type Action, type Desired, type EnforcedContainer, type Enforcer, type Enforcers, type EnforcerStatus, type NftablesRuleset, type SeccompTarget } from '../enforce/index.ts';
import { iso } from '../learn/index.ts';
import type { Mode, ModelDimension, Protocol, RuntimeEvent } from '../model/index.ts';
import type { Tracked } from './tracking.ts';

/** What a reconcile reads of the defender: each container's modes, and the peers its application's graph allows it. */
export interface ReconcileInputs {
  modeOf(t: Tracked, dimension: ModelDimension): Mode;
  peersOf(container: string): Array<{ host: string; port: number; protocol: Protocol }>;
}

const enforced = (t: Tracked): EnforcedContainer => ({ id: t.info.id, name: t.info.name, pid: t.info.pid, ...(t.info.cgroupId !== undefined && { cgroupId: t.info.cgroupId }) });

/**
 * One reconcile loop for every enforcement point: the desired state of each
 * (from the running containers, their models and their modes) is computed
 * as cheap keys, and each enforcer applies what changed, on its own (one that
 * fails leaves the others to their work, and is tried again next time).
 */
export class Reconciler {
  readonly enforcers: Enforcers;
  /** Containers block mode stops, by id: until they are gone. */
  private readonly blocked = new Map<string, Desired<true>>();
  private readonly applying = new Set<Promise<void>>();
  private readonly log: (line: string) => void;

  constructor(enforcers: Enforcers, log: (line: string) => void) {
    this.enforcers = enforcers;
    this.log = log;
  }

  private all(): Array<Enforcer<never>> {
    const { exec, network, files, seccomp, block } = this.enforcers;
    return [exec, network, files, seccomp, block].filter((e) => e !== undefined) as Array<Enforcer<never>>;
  }

  /** What a defender before this one left in the running containers is taken over (an enforcer that cannot look fails the start). */
  async adopt(containers: Iterable<Tracked>): Promise<void> {
    const running = [...containers].filter((t) => t.info.running).map(enforced);
    for (const e of this.all()) await e.adopt?.(running);
  }

  reconcile(containers: Iterable<Tracked>, inputs: ReconcileInputs): void {
    const exec = new Map<string, Desired<readonly string[]>>();
    const network = new Map<string, Desired<NftablesRuleset>>();
    const files = new Map<string, Desired<readonly string[]>>();
    const seccomp = new Map<string, Desired<SeccompTarget>>();
    for (const t of containers) {
      if (!t.info.running || t.model.state !== 'active') continue;
      const container = enforced(t);
      const prevented = (dimension: ModelDimension) => inputs.modeOf(t, dimension) === 'prevent';
      const model = t.model;
      if (prevented('processes') && t.info.cgroupId !== undefined) {
        const programs = model.entries('processes');
        exec.set(t.info.id, { container, key: programs.join('\n'), target: () => programs });
      }
      const directions = { in: prevented('listen'), out: prevented('egress') };
      if (directions.in || directions.out) {
        // the peers its application's graph allows, at their addresses now: a restarted server keeps being reachable
        const peers = inputs.peersOf(t.info.id);
        const key = `${directions.in} ${directions.out} ${model.entries('listen').join()} ${model.entries('egress').join()} ${peers.map((p) => `${p.host}:${p.port}`).join()}`;
        network.set(t.info.id, {
          container, key, target: () => {
            const snapshot = model.snapshot(iso);
            snapshot.network.egress.push(...peers.map((p) => ({ ...p, sources: [{ kind: 'learned' as const, detail: 'a peer of its application\'s graph' }] })));
            return nftablesRuleset(snapshot, { directions });
          },
        });
      }
      if (prevented('writable')) {
        const writable = model.entries('writable');
        files.set(t.info.id, { container, key: `held\n${writable.join('\n')}`, target: () => writable });
      }
      if (prevented('syscalls')) {
        const syscalls = model.entries('syscalls');
        seccomp.set(t.info.id, { container, key: syscalls.join(), target: () => ({ setting: t.info.seccomp, privileged: t.info.privileged === true, model: model.id, syscalls }) });
      }
    }
    const { enforcers } = this;
    if (enforcers.exec !== undefined) this.apply(enforcers.exec, exec);
    if (enforcers.network !== undefined) this.apply(enforcers.network, network);
    if (enforcers.files !== undefined) this.apply(enforcers.files, files);
    this.apply(enforcers.seccomp, seccomp);
    this.apply(enforcers.block, this.blocked);
  }

  private apply<T>(enforcer: Enforcer<T>, desired: ReadonlyMap<string, Desired<T>>): void {
    const applying = enforcer.apply(desired).catch((e: Error) => this.log(`${enforcer.name}: ${e.message}`)).finally(() => this.applying.delete(applying));
    this.applying.add(applying);
  }

  /** Block mode: the container is stopped (once); returns whether this asked for it. */
  block(t: Tracked, reason: string): boolean {
    if (this.blocked.has(t.info.id)) return false;
    this.blocked.set(t.info.id, { container: enforced(t), key: reason, target: () => true });
    this.apply(this.enforcers.block, this.blocked);
    return true;
  }

  /** What prevent does to an activity of a container, by the enforcer of its dimension. */
  stops(container: string, dimension: ModelDimension, event: RuntimeEvent): Action | 'later' | undefined {
    const { exec, network, files } = this.enforcers;
    switch (dimension) {
      case 'processes': return exec?.stops(container, event);
      case 'egress': return network?.stops(container, event);
      case 'writable': return files?.stops(container, event);
      default: return undefined;
    }
  }

  /** A container that stopped: what was held in its namespaces went with them. */
  forget(id: string): void {
    this.blocked.delete(id);
    for (const e of this.all()) e.forget?.(id);
  }

  /** Every enforcer's changes under way, done. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.applying]);
  }

  /** Lets every container go, each enforcer even when another fails; then fails with the ones that did. */
  async release(): Promise<void> {
    await this.settle();
    const all = this.all();
    const results = await Promise.allSettled(all.map((e) => e.release()));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${all[i]!.name}: ${(r.reason as Error).message}`] : []));
    if (failed.length > 0) throw new Error(failed.join('; '));
  }

  status(): EnforcerStatus {
    return Object.assign({}, ...this.all().map((e) => e.status())) as EnforcerStatus;
  }
}
