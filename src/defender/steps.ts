/** One step of a long-running process's start: what it starts, and how it is undone. */
export interface Step {
  readonly name: string;
  start(): Promise<void>;
  /** Undoes what `start` did: called for a step that started, and for one that failed half way (it undoes what there is). */
  stop?(): Promise<void>;
}

/** A step failed to start: its name, and why. Everything started before it was undone. */
export class StepError extends Error {
  override name = 'StepError';
  readonly step: string;

  constructor(step: string, cause: unknown) {
    super(`${step}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.step = step;
  }
}

/**
 * Ordered start steps and a teardown that always completes (Falco's run
 * steps): each step is started in turn, named and timed in the log; a step
 * that fails undoes what it did and every step started before it, in
 * reverse, and the start fails with it. Stopping undoes every started step in reverse, each one
 * even when another fails.
 */
export class Steps {
  private readonly steps: readonly Step[];
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private started: Step[] = [];

  constructor(steps: readonly Step[], log: (line: string) => void, now: () => number = Date.now) {
    this.steps = steps;
    this.log = log;
    this.now = now;
  }

  /** The names of the steps started, in order. */
  get running(): string[] {
    return this.started.map((s) => s.name);
  }

  async start(): Promise<void> {
    for (const step of this.steps) {
      const from = this.now();
      try {
        await step.start();
      } catch (e) {
        const error = new StepError(step.name, e);
        this.log(`start: ${error.message}; undoing what started`);
        this.started.push(step);
        await this.stop();
        throw error;
      }
      this.started.push(step);
      this.log(`start: ${step.name} (${this.now() - from} ms)`);
    }
  }

  /** Undoes every started step, last first; resolves with the failures (each said), never throws. */
  async stop(): Promise<Error[]> {
    const failures: Error[] = [];
    for (const step of this.started.reverse()) {
      const from = this.now();
      try {
        await step.stop?.();
        this.log(`stop: ${step.name} (${this.now() - from} ms)`);
      } catch (e) {
        const error = new StepError(step.name, e);
        failures.push(error);
        this.log(`stop: ${error.message}; going on`);
      }
    }
    this.started = [];
    return failures;
  }
}
