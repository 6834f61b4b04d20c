import type { ModelDimension } from '../model/index.ts';
import { DIMENSIONS } from './entries.ts';

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
    this.startedAt = now;
    this.activeAt = undefined;
  }

  /** A window `seconds` longer than what is left of this one. */
  extend(seconds: number): void {
    this.windowSec = this.observedMs / 1000 + Math.max(this.remainingSec, 0) + seconds;
  }
}
