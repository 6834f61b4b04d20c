import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StepError, Steps, type Step } from '../../src/defender/steps.ts';

const NAMES = ['a', 'b', 'c', 'd', 'e'];

/** Steps that record each start and stop in `calls`; `failStart` and `failStop` name the ones that throw. */
function steps(calls: string[], failStart?: string, failStop: readonly string[] = []): Step[] {
  return NAMES.map((name) => ({
    name,
    async start() {
      calls.push(`start ${name}`);
      if (name === failStart) throw new Error(`${name} broke`);
    },
    async stop() {
      calls.push(`stop ${name}`);
      if (failStop.includes(name)) throw new Error(`${name} would not stop`);
    },
  }));
}

test('a step that fails to start undoes itself and every step before it, in reverse, and starts none after it', async () => {
  for (let k = 0; k < NAMES.length; k++) {
    const calls: string[] = [];
    const lines: string[] = [];
    const run = new Steps(steps(calls, NAMES[k]), (line) => lines.push(line), () => 0);
    const error = await run.start().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof StepError, `k=${k}`);
    assert.equal(error.step, NAMES[k]);
    assert.equal(error.name, 'StepError');
    assert.equal(error.message, `${NAMES[k]}: ${NAMES[k]} broke`);
    assert.equal((error.cause as Error).message, `${NAMES[k]} broke`);
    const started = NAMES.slice(0, k + 1);
    assert.deepEqual(calls, [...started.map((n) => `start ${n}`), ...started.toReversed().map((n) => `stop ${n}`)], `k=${k}`);
    assert.deepEqual(run.running, []);
    assert.ok(lines.includes(`start: ${NAMES[k]}: ${NAMES[k]} broke; undoing what started`), lines.join('\n'));
  }
});

test('a start failure that is not an Error is named by its text', async () => {
  const run = new Steps([{ name: 'x', start: () => Promise.reject(new Error('plain')) }], () => {});
  const error = await run.start().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof StepError);
  assert.deepEqual([error.step, error.message], ['x', 'x: plain']);
  const second = new Steps([{ name: 'y', start: () => Promise.reject('just text' as unknown as Error) }], () => {});
  const text = await second.start().then(() => undefined, (e: unknown) => e);
  assert.ok(text instanceof StepError);
  assert.deepEqual([text.step, text.message, text.cause], ['y', 'y: just text', 'just text']);
});

test('a step without stop is passed over on the way back', async () => {
  const calls: string[] = [];
  const run = new Steps([
    { name: 'plain', start: async () => void calls.push('start plain') },
    { name: 'broken', start: async () => { calls.push('start broken'); throw new Error('no'); }, stop: async () => void calls.push('stop broken') },
  ], () => {});
  await assert.rejects(run.start(), { name: 'StepError', step: 'broken' });
  assert.deepEqual(calls, ['start plain', 'start broken', 'stop broken']);
});

test('stop after a full start undoes every step in reverse, even past the ones that fail, and resolves with the failures', async () => {
  const calls: string[] = [];
  const lines: string[] = [];
  const run = new Steps(steps(calls, undefined, ['b', 'd']), (line) => lines.push(line), () => 0);
  await run.start();
  assert.deepEqual(run.running, NAMES);
  calls.length = 0;
  const failures = await run.stop();
  assert.deepEqual(calls, NAMES.toReversed().map((n) => `stop ${n}`));
  assert.equal(failures.length, 2);
  assert.ok(failures.every((f) => f instanceof StepError));
  assert.deepEqual(failures.map((f) => [(f as StepError).step, f.message]), [['d', 'd: d would not stop'], ['b', 'b: b would not stop']]);
  assert.deepEqual(lines.filter((l) => l.startsWith('stop: ')), [
    'stop: e (0 ms)', 'stop: d: d would not stop; going on', 'stop: c (0 ms)', 'stop: b: b would not stop; going on', 'stop: a (0 ms)',
  ]);
  assert.deepEqual(run.running, []);
  // a second stop has nothing left to undo
  calls.length = 0;
  assert.deepEqual(await run.stop(), []);
  assert.deepEqual(calls, []);
});

test('a stop that fails while undoing a failed start is logged, and the start still fails with its own step', async () => {
  const calls: string[] = [];
  const lines: string[] = [];
  const run = new Steps(steps(calls, 'c', ['b']), (line) => lines.push(line), () => 0);
  await assert.rejects(run.start(), { name: 'StepError', step: 'c', message: 'c: c broke' });
  assert.deepEqual(calls, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  assert.ok(lines.includes('stop: b: b would not stop; going on'), lines.join('\n'));
});

test('stop before any start does nothing and fails nothing', async () => {
  const calls: string[] = [];
  const run = new Steps(steps(calls), () => {});
  assert.deepEqual(await run.stop(), []);
  assert.deepEqual(calls, []);
});

test('each step is timed with the injected clock', async () => {
  let tick = 0;
  // each call moves the fake clock on by its call count, so each step's duration is known
  const now = () => (tick++) * 10;
  const lines: string[] = [];
  const run = new Steps(NAMES.slice(0, 3).map((name) => ({ name, start: async () => {} })), (line) => lines.push(line), now);
  await run.start();
  assert.deepEqual(lines, ['start: a (10 ms)', 'start: b (10 ms)', 'start: c (10 ms)']);
  assert.equal(tick, 6);

  const durations = [5, 0, 120];
  let at = 0;
  let call = 0;
  const timed = new Steps(NAMES.slice(0, 3).map((name) => ({ name, start: async () => {} })), (line) => lines.push(line), () => {
    // start of step i reads `at`, its end reads `at + durations[i]`
    const value = at;
    if (call % 2 === 0) at += durations[call / 2]!;
    call++;
    return value;
  });
  lines.length = 0;
  await timed.start();
  assert.deepEqual(lines, ['start: a (5 ms)', 'start: b (0 ms)', 'start: c (120 ms)']);
});
