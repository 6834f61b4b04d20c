import type { Audit, ModelDimension, Proposal } from '../model/index.ts';

/** Accept proposals of these dimensions by themselves, once they were seen this many times. */
export interface HealPolicy {
  dimensions: readonly ModelDimension[];
  after: number;
}

/** Distinct deviations tracked at most: past that, the oldest that is no proposal is forgotten. */
const TRACKED = 4096;
const AUDITS_KEPT = 5;

interface Tracked {
  model: string;
  dimension: ModelDimension;
  entry: string;
  parent: string | undefined;
  count: number;
  containers: Set<string>;
  firstSeen: string;
  lastSeen: string;
  audits: string[];
  blocked: number;
  event: Audit['event'];
  proposal?: Proposal;
}

/**
 * Models that heal. A deviation of an active model that came with no other
 * signal — no known-bad rule fired with it, no feed lists it, its story is no
 * incident — is counted; once every running replica of the model made it
 * (two containers at least: one container's deviation is not yet a pattern,
 * and a replacement of a lone replica counts), it is proposed as an amendment
 * with its evidence, blocked attempts included. A policy may accept chosen
 * dimensions by themselves after N audits; otherwise someone accepts or
 * rejects it (`tenet models proposals`). A rejected proposal is not made
 * again. Pure: audits and the replicas come in, proposals go out.
 */
export class Healer {
  private readonly tracked = new Map<string, Tracked>();
  private readonly byId = new Map<string, Tracked>();
  private readonly newId: () => string;
  private readonly policy: HealPolicy | undefined;
  /** Accepted proposals not yet taken into their models, and whether any proposal changed since last asked. */
  private readonly toApply: Proposal[] = [];
  private dirty = false;

  constructor(newId: () => string, policy?: HealPolicy) {
    this.newId = newId;
    this.policy = policy;
  }

  /**
   * A deviation audit with nothing else said of it (`alone`: its story is no
   * incident), and the containers of its model running now. Returns the
   * proposal it made or changed, if any.
   */
  deviation(audit: Audit, alone: boolean, running: ReadonlySet<string>): Proposal | undefined {
    const lacked = audit.lacked;
    if (lacked === undefined || audit.model === undefined || !alone || audit.intel !== undefined || audit.modelState !== 'active') return undefined;
    const key = `${audit.model}\0${lacked.dimension}\0${lacked.entry}\0${lacked.parent ?? ''}`;
    let t = this.tracked.get(key);
    if (t === undefined) {
      if (this.tracked.size >= TRACKED) this.forgetOne();
      t = {
        model: audit.model, dimension: lacked.dimension, entry: lacked.entry, parent: lacked.parent, count: 0, containers: new Set(),
        firstSeen: audit.time, lastSeen: audit.time, audits: [], blocked: 0, event: audit.event,
      };
      this.tracked.set(key, t);
    }
    t.count++;
    t.containers.add(audit.container.id);
    if (audit.time > t.lastSeen) t.lastSeen = audit.time;
    if (t.audits.length < AUDITS_KEPT) t.audits.push(audit.id);
    if (audit.action !== undefined) t.blocked++;
    if (t.proposal === undefined) {
      if (t.containers.size < 2 || !coversAll(t.containers, running)) return undefined;
      t.proposal = { id: this.newId(), model: t.model, dimension: t.dimension, entry: t.entry, ...(t.parent !== undefined && { parent: t.parent }), state: 'open', why: '', evidence: evidenceOf(t) };
      this.byId.set(t.proposal.id, t);
    } else if (t.proposal.state === 'rejected') {
      return undefined;
    }
    const p = t.proposal;
    p.evidence = evidenceOf(t);
    p.why = `every running replica (${t.containers.size} containers) ${t.parent !== undefined ? `started ${t.entry} from ${t.parent}` : `did it (${t.dimension}: ${t.entry})`}, `
      + `${t.count} times from ${t.firstSeen} to ${t.lastSeen}, with no known-bad rule, threat intelligence or incident${t.blocked > 0 ? `; prevent stopped it ${t.blocked} times` : ''}`;
    if (p.state === 'open' && this.policy !== undefined && this.policy.dimensions.includes(t.dimension) && t.count >= this.policy.after) {
      p.state = 'accepted';
      p.decided = { at: audit.time, by: 'policy' };
      this.toApply.push(p);
    }
    this.dirty = true;
    return p;
  }

  /** Someone accepts or rejects an open proposal; returns it, or undefined when there is no such open proposal. */
  decide(id: string, state: 'accepted' | 'rejected', by: string, at: string): Proposal | undefined {
    const p = this.byId.get(id)?.proposal;
    if (p === undefined || p.state !== 'open') return undefined;
    p.state = state;
    p.decided = { at, by };
    if (state === 'accepted') this.toApply.push(p);
    this.dirty = true;
    return p;
  }

  /** The proposals accepted since last asked: to be taken into their models. */
  accepted(): Proposal[] {
    return this.toApply.splice(0);
  }

  /** Whether a proposal was made or changed since last asked. */
  changed(): boolean {
    const was = this.dirty;
    this.dirty = false;
    return was;
  }

  /** Every proposal made, open and decided. */
  proposals(): Proposal[] {
    return [...this.byId.values()].map((t) => t.proposal!);
  }

  /** Proposals as the store kept them: a restarted defender goes on with them (rejected ones stay rejected). */
  restore(proposals: readonly Proposal[]): void {
    for (const p of proposals) {
      const t: Tracked = {
        model: p.model, dimension: p.dimension, entry: p.entry, parent: p.parent, count: p.evidence.count, containers: new Set(p.evidence.containers),
        firstSeen: p.evidence.firstSeen, lastSeen: p.evidence.lastSeen, audits: [...p.evidence.audits], blocked: p.evidence.blocked, event: p.evidence.event, proposal: p,
      };
      this.tracked.set(`${p.model}\0${p.dimension}\0${p.entry}\0${p.parent ?? ''}`, t);
      this.byId.set(p.id, t);
    }
  }

  private forgetOne(): void {
    for (const [key, t] of this.tracked) {
      if (t.proposal !== undefined) continue;
      this.tracked.delete(key);
      return;
    }
  }
}

/** Whether every running container is among those that did it. */
function coversAll(did: ReadonlySet<string>, running: ReadonlySet<string>): boolean {
  for (const c of running) if (!did.has(c)) return false;
  return true;
}

function evidenceOf(t: Tracked): Proposal['evidence'] {
  return { count: t.count, containers: [...t.containers], firstSeen: t.firstSeen, lastSeen: t.lastSeen, audits: [...t.audits], blocked: t.blocked, event: t.event };
}
