import { nftablesRuleset, type Action, type Desired, type EnforcedContainer, type Enforcer, type Enforcers, type EnforcerStatus, type NftablesRuleset, type SeccompTarget } from '../enforce/index.ts';
import { iso } from '../learn/index.ts';
import type { Mode, ModelDimension, Protocol, RuntimeEvent } from '../model/index.ts';
import type { Tracked } from './tracking.ts';

/** What a reconcile reads of the defender: each container's modes, the peers its application's graph allows it, and the addresses of the names it asked. */
export interface ReconcileInputs {
  modeOf(t: Tracked, dimension: ModelDimension): Mode;
  peersOf(container: string): Array<{ host: string; port: number; protocol: Protocol }>;
  addresses(container: string): ReadonlyMap<string, readonly string[]>;
}

const enforced = (t: Tracked): EnforcedContainer => ({ id: t.info.id, name: t.info.name, pid: t.info.pid, ...(t.info.cgroupId !== undefined && { cgroupId: t.info.cgroupId }) });

/**
 * The network namespace a container's table goes into, as a key: its pod's
 * (every container of a pod shares the sandbox's), else its own.
 */
export const networkOf = (t: Tracked): string => (t.info.pod !== undefined ? `pod:${t.info.namespace ?? ''}/${t.info.pod}` : t.info.id);

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

  /** The network namespace each container's connections are held in, by container id (from the last reconcile). */
  private readonly networks = new Map<string, string>();

  /** What a defender before this one left in the running containers is taken over (an enforcer that cannot look fails the start). */
  async adopt(containers: Iterable<Tracked>): Promise<void> {
    const running = [...containers].filter((t) => t.info.running);
    const { exec, network, files, seccomp, block } = this.enforcers;
    for (const e of [exec, files, seccomp, block]) await e?.adopt?.(running.map(enforced));
    // a pod's table once, under its pod's key
    const pods = new Map(running.map((t) => [networkOf(t), { ...enforced(t), id: networkOf(t) }]));
    await network?.adopt?.([...pods.values()]);
  }

  reconcile(containers: Iterable<Tracked>, inputs: ReconcileInputs): void {
    const exec = new Map<string, Desired<readonly string[]>>();
    const network = new Map<string, Desired<NftablesRuleset>>();
    const shared = new Map<string, { container: EnforcedContainer; in: boolean; out: boolean; members: Tracked[] }>();
    const files = new Map<string, Desired<readonly string[]>>();
    const seccomp = new Map<string, Desired<SeccompTarget>>();
    // a namespace with a container still learning gets no table: what that one does is not known yet
    const running = [...containers].filter((t) => t.info.running);
    const learning = new Set(running.filter((t) => t.model.state !== 'active').map(networkOf));
    for (const t of running) {
      if (t.model.state !== 'active') continue;
      const container = enforced(t);
      const prevented = (dimension: ModelDimension) => inputs.modeOf(t, dimension) === 'prevent';
      const model = t.model;
      if (prevented('processes') && t.info.cgroupId !== undefined) {
        const programs = model.entries('processes');
        exec.set(t.info.id, { container, key: programs.join('\n'), target: () => programs });
      }
      // the containers of one network namespace share its table
      const key = networkOf(t);
      this.networks.set(t.info.id, key);
      const group = shared.get(key) ?? shared.set(key, { container: { ...container, id: key }, in: false, out: false, members: [] }).get(key)!;
      group.in ||= prevented('listen');
      group.out ||= prevented('egress');
      group.members.push(t);
      if (prevented('writable')) {
        const writable = model.entries('writable');
        files.set(t.info.id, { container, key: `held\n${writable.join('\n')}`, target: () => writable });
      }
      if (prevented('syscalls')) {
        const syscalls = model.entries('syscalls');
        seccomp.set(t.info.id, { container, key: syscalls.join(), target: () => ({ setting: t.info.seccomp, privileged: t.info.privileged === true, model: model.id, syscalls }) });
      }
    }
    for (const [key, group] of shared) {
      if ((!group.in && !group.out) || learning.has(key)) continue;
      network.set(key, networkDesired(group.container, { in: group.in, out: group.out }, group.members, inputs));
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
      case 'egress': return network?.stops(this.networks.get(container) ?? container, event);
      case 'writable': return files?.stops(container, event);
      default: return undefined;
    }
  }

  /** A container that stopped: what was held in its namespaces went with them (a pod's network, once its last container stopped). */
  forget(id: string, running: Iterable<Tracked> = []): void {
    this.blocked.delete(id);
    const network = this.networks.get(id);
    this.networks.delete(id);
    const { exec, files, seccomp, block } = this.enforcers;
    for (const e of [exec, files, seccomp, block]) e?.forget?.(id);
    if (network === undefined) return;
    for (const t of running) if (t.info.id !== id && networkOf(t) === network) return;
    this.enforcers.network?.forget?.(network);
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

/**
 * The table of one network namespace: what every container in it may do (the
 * union of their models, and the peers their application's graph allows
 * them, at their addresses now; a peer named by a DNS name at the addresses
 * the defender's answers gave it), in the directions any of them prevents.
 */
function networkDesired(container: EnforcedContainer, directions: { in: boolean; out: boolean }, members: readonly Tracked[], inputs: ReconcileInputs): Desired<NftablesRuleset> {
  const peers = members.map((t) => inputs.peersOf(t.info.id));
  // a peer the model names by a DNS name: the addresses the names the containers asked have now
  const resolved = new Map<string, string[]>();
  for (const t of members) for (const [name, addresses] of inputs.addresses(t.info.id)) resolved.set(name, [...new Set([...(resolved.get(name) ?? []), ...addresses])]);
  const named = [...resolved].map(([name, addresses]) => `${name}=${addresses.join('+')}`).sort().join();
  const key = `${directions.in} ${directions.out} ${named} ${members.map((t, i) => `${t.model.entries('listen').join()} ${t.model.entries('egress').join()} ${peers[i]!.map((p) => `${p.host}:${p.port}`).join()}`).join(' | ')}`;
  return {
    container, key, target: () => {
      const [first, ...others] = members.map((t) => t.model.snapshot(iso));
      for (const other of others) {
        first!.network.listen.push(...other!.network.listen);
        first!.network.egress.push(...other!.network.egress);
      }
      first!.network.egress.push(...peers.flat().map((p) => ({ ...p, sources: [{ kind: 'learned' as const, detail: 'a peer of its application\'s graph' }] })));
      return nftablesRuleset(first!, { directions, resolved });
    },
  };
}
