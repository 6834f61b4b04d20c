import type { Learning, ModelDimension } from '../model/index.ts';
import { DIMENSIONS } from './entries.ts';

/** When a model's learning has converged: how long each dimension must be quiet, and after how much. */
export interface Convergence {
  /** The least quiet time of a dimension, in observed seconds. */
  quietSec: number;
  /** Quiet for this many times the observed time its last new entry took to appear. */
  quietFactor: number;
  /** Quiet for this many times the longest a known entry went unseen before it came again (a healthcheck's period, a job's). */
  repeatFactor: number;
  /** Events learned from before a model can converge at all. */
  minEvents: number;
}

type Waiting = NonNullable<Learning['convergence']>['waiting'];
const seconds = (ms: number) => Math.round(ms / 1000);

/**
 * A model's learning clock: the window, in observed time (time with at least
 * one of its containers running), how much of it passed, and when each
 * dimension last learned something new, which says how safe it is to enforce.
 */
export class LearningClock {
  windowSec: number;
  observedMs = 0;
  startedAt: number;
  activeAt: number | undefined;
  /** The clock (observed ms) when each dimension last learned something new. */
  private readonly lastNew = new Map<ModelDimension, number>();
  /** The longest (ms) a known entry of each dimension went unseen before it was seen again. */
  private readonly repeat = new Map<ModelDimension, number>();
  /** Events learned from (new or known). */
  events = 0;
  /** What ended learning, once it ended. */
  by: 'convergence' | 'window' | undefined;

  constructor(windowSec: number, now: number) {
    this.windowSec = windowSec;
    this.startedAt = now;
  }

  get remainingSec(): number {
    return Math.max(0, Math.ceil(this.windowSec - this.observedMs / 1000));
  }

  /** Observed time passed; true once the window is over. */
  pass(elapsedMs: number): boolean {
    this.observedMs += elapsedMs;
    return this.observedMs >= this.windowSec * 1000;
  }

  learnedNew(dimension: ModelDimension): void {
    this.lastNew.set(dimension, this.observedMs);
  }

  /** A known entry seen again, `gapMs` after it was last seen. */
  sawAgain(dimension: ModelDimension, gapMs: number): void {
    if (gapMs > (this.repeat.get(dimension) ?? 0)) this.repeat.set(dimension, gapMs);
  }

  /**
   * What still moves: each dimension that has not been quiet (no new entry)
   * for the longest of the least quiet time, `quietFactor` times the time its
   * last new entry took to appear, and `repeatFactor` times the longest a
   * known entry of it went unseen; and the model, while it learned from fewer
   * than `minEvents` events. Empty: learning has converged. A dimension that
   * overflowed stopped learning: it does not wait.
   */
  waiting(overflow: ReadonlySet<ModelDimension>, c: Convergence): Waiting {
    const waiting: Waiting = [];
    if (this.events < c.minEvents) waiting.push({ quietSec: 0, needSec: 0, why: `learned from ${this.events} events, needs ${c.minEvents}` });
    for (const d of DIMENSIONS) {
      if (overflow.has(d)) continue;
      const last = this.lastNew.get(d) ?? 0;
      const quiet = this.observedMs - last;
      const needs: Array<[number, string]> = [
        [c.quietSec * 1000, `at least ${c.quietSec} s`],
        [c.quietFactor * last, `${c.quietFactor === 1 ? '' : `${c.quietFactor} × `}the ${seconds(last)} s its last new entry took to appear`],
        [c.repeatFactor * (this.repeat.get(d) ?? 0), `${c.repeatFactor} × the longest a known entry went unseen (${seconds(this.repeat.get(d) ?? 0)} s)`],
      ];
      const [need, why] = needs.reduce((a, b) => (b[0] > a[0] ? b : a));
      if (quiet < need) waiting.push({ dimension: d, quietSec: seconds(quiet), needSec: seconds(need), why: `${this.lastNew.has(d) ? `new ${seconds(quiet)} s ago` : 'nothing new yet'}; quiet needed: ${why}` });
    }
    return waiting;
  }

  /** What the store keeps of the convergence, to go on after a restart. */
  convergence(overflow: ReadonlySet<ModelDimension>, c: Convergence): NonNullable<Learning['convergence']> {
    const waiting = this.waiting(overflow, c);
    const perDimension = (m: ReadonlyMap<ModelDimension, number>) => Object.fromEntries([...m].map(([d, ms]) => [d, seconds(ms)]));
    return {
      converged: waiting.length === 0, ...(this.by !== undefined && { by: this.by }), events: this.events,
      lastNewSec: perDimension(this.lastNew), repeatSec: perDimension(this.repeat), waiting,
    };
  }

  /** The convergence the store kept. */
  restore(kept: Learning['convergence']): void {
    if (kept === undefined) return;
    this.events = kept.events;
    if (kept.by !== undefined) this.by = kept.by;
    for (const [d, sec] of Object.entries(kept.lastNewSec) as Array<[ModelDimension, number]>) this.lastNew.set(d, sec * 1000);
    for (const [d, sec] of Object.entries(kept.repeatSec) as Array<[ModelDimension, number]>) this.repeat.set(d, sec * 1000);
  }

  /**
   * How safe each dimension is to enforce: the share of the last half of the
   * window (in observed time) during which it learned nothing new; 0 for a
   * dimension that overflowed.
   */
  completeness(overflow: ReadonlySet<ModelDimension>): Record<ModelDimension, number> {
    const half = Math.max(1, (this.windowSec * 1000) / 2);
    const score = (d: ModelDimension) => (overflow.has(d) ? 0 : Math.min(1, Math.max(0, (this.observedMs - (this.lastNew.get(d) ?? 0)) / half)));
    return Object.fromEntries(DIMENSIONS.map((d) => [d, Math.round(score(d) * 100) / 100])) as Record<ModelDimension, number>;
  }

  /** Learning again from now. */
  restart(now: number): void {
    this.observedMs = 0;
    this.lastNew.clear();
    this.repeat.clear();
    this.events = 0;
    this.by = undefined;
    this.startedAt = now;
    this.activeAt = undefined;
  }

  /** A window `seconds` longer than what is left of this one. */
  extend(seconds: number): void {
    this.windowSec = this.observedMs / 1000 + Math.max(this.remainingSec, 0) + seconds;
  }
}
