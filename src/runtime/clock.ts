/** A timer a clock set: cancelled with `clear`. */
export interface Timer {
  clear(): void;
}

/**
 * Time as the defender sees it: the system's, or a clock a replay moves (so
 * that a recorded hour plays in seconds, the same way every time).
 */
export interface Clock {
  now(): number;
  /** Runs `work` after `ms`; a promise it returns is waited for (by a clock that can). */
  after(ms: number, work: () => unknown): Timer;
  /** Runs `work` every `ms`. */
  every(ms: number, work: () => unknown): Timer;
}

/** The system's clock: Date.now and Node's timers. */
export const systemClock: Readonly<Clock> = {
  now: () => Date.now(),
  after(ms, work) {
    const timer = setTimeout(work, ms);
    return { clear: () => clearTimeout(timer) };
  },
  every(ms, work) {
    const timer = setInterval(work, ms);
    return { clear: () => clearInterval(timer) };
  },
};

interface Due {
  at: number;
  order: number;
  every?: number;
  work: () => unknown;
  cleared: boolean;
}

/**
 * A clock that moves only when told (`advanceTo`): every timer due on the
 * way runs in time order, and what it returns is waited for before the next
 * one runs, so a replay is the same every time, however fast it plays.
 */
export class ManualClock implements Clock {
  private time: number;
  private order = 0;
  private readonly due: Due[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  /** Timers set and not cleared. */
  get pending(): number {
    return this.due.filter((t) => !t.cleared).length;
  }

  after(ms: number, work: () => unknown): Timer {
    return this.add({ at: this.time + Math.max(0, ms), order: this.order++, work, cleared: false });
  }

  every(ms: number, work: () => unknown): Timer {
    return this.add({ at: this.time + ms, order: this.order++, every: Math.max(1, ms), work, cleared: false });
  }

  private add(timer: Due): Timer {
    this.due.push(timer);
    return { clear: () => void (timer.cleared = true) };
  }

  /** Moves to `time` (never back), running each timer due on the way, in order, waiting for each. */
  async advanceTo(time: number): Promise<void> {
    for (;;) {
      let next: Due | undefined;
      for (const t of this.due) if (!t.cleared && t.at <= time && (next === undefined || t.at < next.at || (t.at === next.at && t.order < next.order))) next = t;
      if (next === undefined) break;
      this.time = Math.max(this.time, next.at);
      if (next.every !== undefined) {
        next.at += next.every;
        next.order = this.order++;
      } else {
        next.cleared = true;
      }
      await next.work();
      for (let i = this.due.length - 1; i >= 0; i--) if (this.due[i]!.cleared) this.due.splice(i, 1);
    }
    this.time = Math.max(this.time, time);
  }
}
