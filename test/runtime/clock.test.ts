import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { ManualClock, systemClock } from '../../src/runtime/index.ts';

test('a manual clock runs nothing until it is moved past a timer\'s time', async () => {
  const clock = new ManualClock(1000);
  const ran: number[] = [];
  clock.after(100, () => ran.push(clock.now()));
  clock.every(300, () => ran.push(-clock.now()));
  assert.deepEqual(ran, []);
  await clock.advanceTo(1099);
  assert.deepEqual(ran, []);
  assert.equal(clock.now(), 1099);
  await clock.advanceTo(1100);
  assert.deepEqual(ran, [1100]);
  await clock.advanceTo(1300);
  assert.deepEqual(ran, [1100, -1300]);
});

test('timers run in time order, ties in the order they were set, each awaited before the next', async () => {
  const clock = new ManualClock(0);
  const log: string[] = [];
  // an async work whose end is logged after a real wait: the next one must not start before it
  const work = (name: string) => async () => {
    log.push(`start ${name} @${clock.now()}`);
    await sleep(5);
    log.push(`end ${name}`);
  };
  clock.after(30, work('c'));
  clock.after(10, work('a1'));
  clock.every(20, work('b'));
  clock.after(10, work('a2'));
  clock.after(20, work('b2'));
  await clock.advanceTo(45);
  assert.deepEqual(log, [
    'start a1 @10', 'end a1',
    'start a2 @10', 'end a2',
    'start b @20', 'end b',
    'start b2 @20', 'end b2',
    'start c @30', 'end c',
    'start b @40', 'end b',
  ]);
  assert.equal(clock.now(), 45);
});

test('an every timer repeats at its period, with now() at each due time while it runs', async () => {
  const clock = new ManualClock(0);
  const seen: number[] = [];
  clock.every(250, () => seen.push(clock.now()));
  await clock.advanceTo(1000);
  assert.deepEqual(seen, [250, 500, 750, 1000]);
  await clock.advanceTo(1249);
  assert.deepEqual(seen, [250, 500, 750, 1000]);
  await clock.advanceTo(1250);
  assert.deepEqual(seen, [250, 500, 750, 1000, 1250]);
});

test('a timer set by a running timer runs in the same advance when it is due on the way', async () => {
  const clock = new ManualClock(0);
  const seen: string[] = [];
  clock.after(10, () => {
    seen.push(`outer @${clock.now()}`);
    clock.after(5, () => seen.push(`inner @${clock.now()}`));
    clock.after(50, () => seen.push(`late @${clock.now()}`));
  });
  await clock.advanceTo(20);
  assert.deepEqual(seen, ['outer @10', 'inner @15']);
  assert.equal(clock.pending, 1);
});

test('a cleared timer never runs, also when cleared by an earlier timer of the same advance', async () => {
  const clock = new ManualClock(0);
  const ran: string[] = [];
  clock.after(10, () => ran.push('after')).clear();
  const repeat = clock.every(10, () => ran.push('every'));
  const later = clock.after(30, () => ran.push('later'));
  clock.after(20, () => later.clear());
  await clock.advanceTo(25);
  repeat.clear();
  await clock.advanceTo(100);
  assert.deepEqual(ran, ['every', 'every']);
  assert.equal(clock.pending, 0);
});

test('now() never goes back', async () => {
  const clock = new ManualClock(500);
  assert.equal(clock.now(), 500);
  await clock.advanceTo(100);
  assert.equal(clock.now(), 500);
  await clock.advanceTo(700);
  const ran: number[] = [];
  // a timer set for a negative delay is due now, not in the past
  clock.after(-50, () => ran.push(clock.now()));
  await clock.advanceTo(600);
  assert.deepEqual([clock.now(), ran], [700, []], 'moving back runs nothing');
  await clock.advanceTo(700);
  assert.deepEqual([clock.now(), ran], [700, [700]]);
});

test('pending counts the timers set and not cleared; a fired after is no longer pending, an every stays', async () => {
  const clock = new ManualClock(0);
  assert.equal(clock.pending, 0);
  clock.after(10, () => {});
  const second = clock.after(20, () => {});
  clock.every(15, () => {});
  assert.equal(clock.pending, 3);
  second.clear();
  assert.equal(clock.pending, 2);
  second.clear();
  assert.equal(clock.pending, 2, 'clearing twice counts once');
  await clock.advanceTo(10);
  assert.equal(clock.pending, 1);
  await clock.advanceTo(100);
  assert.equal(clock.pending, 1);
});

test('the system clock fires with real time, and clear prevents it', async () => {
  const before = systemClock.now();
  assert.ok(Math.abs(before - Date.now()) < 50);
  const fired: string[] = [];
  systemClock.after(20, () => fired.push('kept'));
  systemClock.after(20, () => fired.push('cleared')).clear();
  let ticks = 0;
  const every = systemClock.every(5, () => ticks++);
  await sleep(5);
  assert.deepEqual(fired, []);
  await sleep(60);
  every.clear();
  const counted = ticks;
  assert.deepEqual(fired, ['kept']);
  assert.ok(counted >= 2, `every ran ${counted} times`);
  await sleep(20);
  assert.equal(ticks, counted, 'a cleared every runs no more');
  assert.ok(systemClock.now() - before >= 75);
});
