// One suite for every EventSource: the replay of a recording and other tools'
// output followed in a file (test/sensor), Tenet's bpftrace sensors in the lab
// (test/lab): each delivers what happens once it started, to the sink it was
// given, and nothing once it stopped; stopping twice does no harm; nothing
// it started is left behind.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { RuntimeEvent } from '../../src/model/index.ts';
import type { EventSink, EventSource, SensorRecord } from '../../src/sensor/index.ts';

export type Delivered = { record: SensorRecord } | { event: RuntimeEvent };

export interface EventSourceDriver {
  source: EventSource;
  /** Makes something happen that the source reports. */
  provoke(): Promise<void>;
  /** Whether a delivery is of what `provoke` made happen. */
  provoked(d: Delivered): boolean;
  /** What the source started that still runs (processes, timers it owns); empty once it stopped. */
  leftBehind(): string[];
  close(): Promise<void>;
}

function sink(into: Delivered[]): EventSink {
  return {
    record: (record) => void into.push({ record }),
    event: (event) => {
      into.push({ event });
      return true;
    },
  };
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function eventSourceContract(name: string, make: (t: TestContext) => Promise<EventSourceDriver | undefined>, timeoutMs = 5_000): void {
  test(`${name}: started, it delivers what happens to the sink it was given, and says it watches`, async (t) => {
    const d = await make(t);
    if (d === undefined) return;
    const delivered: Delivered[] = [];
    try {
      await d.source.start(sink(delivered));
      assert.equal(d.source.watching(), true);
      await d.provoke();
      await until('the delivery', () => delivered.some((x) => d.provoked(x)), timeoutMs);
    } finally {
      await d.source.stop();
      await d.close();
    }
  });

  test(`${name}: stopped, it delivers nothing more and leaves nothing behind; stopping again does no harm`, async (t) => {
    const d = await make(t);
    if (d === undefined) return;
    const delivered: Delivered[] = [];
    try {
      await d.source.start(sink(delivered));
      await d.source.stop();
      assert.deepEqual(d.leftBehind(), []);
      const before = delivered.length;
      await d.provoke();
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(delivered.slice(before).some((x) => d.provoked(x)), false, 'nothing delivered once stopped');
      await d.source.stop();
    } finally {
      await d.close();
    }
  });
}
