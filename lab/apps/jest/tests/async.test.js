const { setTimeout: sleep } = require('node:timers/promises');
const { createHash } = require('node:crypto');

test('waits for timers', async () => {
  const started = Date.now();
  await sleep(50);
  expect(Date.now() - started).toBeGreaterThanOrEqual(45);
});

test('hashes text', () => {
  expect(createHash('sha256').update('lab').digest('hex')).toHaveLength(64);
});

test('rejects what fails', async () => {
  await expect(Promise.reject(new Error('no stock'))).rejects.toThrow('no stock');
});

test('runs in a worker thread, not in the main one', () => {
  expect(require('node:worker_threads').isMainThread).toBe(false);
});
