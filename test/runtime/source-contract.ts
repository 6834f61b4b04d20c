// One suite for every ContainerSource: the in-memory twin (test/runtime)
// and the Docker engine (test/lab), so that what the defender's tests learn
// from the twin holds for the real runtime.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { ContainerChange, ContainerSource } from '../../src/runtime/index.ts';

/** How a suite drives its runtime: containers made and taken away outside the source, as users do. */
export interface SourceDriver {
  source: ContainerSource;
  /** Starts a container of the driver's image; resolves to its id. */
  start(): Promise<string>;
  /** Removes a container (stopped or not). */
  remove(id: string): Promise<void>;
  /** The image the containers run, by reference and id, and a program it holds. */
  image: { reference: string; id: string; holds: string };
  close(): Promise<void>;
}

/** Waits until `changes` holds one matching, or fails naming what was seen. */
async function seen(changes: ContainerChange[], what: string, match: (c: ContainerChange) => boolean, timeoutMs = 20_000): Promise<ContainerChange> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = changes.find(match);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs} ms; seen ${JSON.stringify(changes.map((c) => c.action))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function containerSourceContract(name: string, make: (t: TestContext) => Promise<SourceDriver | undefined>): void {
  test(`${name}: a container started is listed running, with its image, pid and cgroup, and inspected`, async (t) => {
    const d = await make(t);
    if (d === undefined) return;
    try {
      const id = await d.start();
      const listed = (await d.source.running()).find((c) => c.id === id);
      assert.ok(listed !== undefined, 'listed');
      assert.equal(listed.running, true);
      assert.equal(listed.imageId, d.image.id);
      assert.equal(listed.image, d.image.reference);
      assert.ok(listed.pid > 0, 'a pid');
      assert.match(listed.cgroupId ?? '', /^\d+$/, 'the cgroup id the sensor names it by');
      assert.equal((await d.source.inspect(id))?.id, id);
      await d.remove(id);
      assert.equal(await d.source.inspect(id), undefined, 'gone');
      assert.equal((await d.source.running()).some((c) => c.id === id), false);
    } finally {
      await d.close();
    }
  });

  test(`${name}: followed, a start, a stop and a removal each come once, in order; closed, nothing more`, async (t) => {
    const d = await make(t);
    if (d === undefined) return;
    try {
      const changes: ContainerChange[] = [];
      const follower = await d.source.follow((c) => changes.push(c), () => {});
      const id = await d.start();
      const started = await seen(changes, 'the start', (c) => c.action === 'start' && c.container.id === id);
      assert.equal(started.action === 'start' && started.container.imageId, d.image.id);
      await d.source.stop(id, 1);
      await seen(changes, 'the stop', (c) => c.action === 'die' && c.id === id);
      await d.remove(id);
      await seen(changes, 'the removal', (c) => c.action === 'destroy' && c.id === id);
      assert.deepEqual(changes.filter((c) => c.action !== 'error' && (c.action === 'start' ? c.container.id : c.id) === id).map((c) => c.action), ['start', 'die', 'destroy']);
      follower.close();
      const other = await d.start();
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(changes.some((c) => c.action === 'start' && c.container.id === other), false, 'a closed follower hears nothing');
      await d.remove(other);
    } finally {
      await d.close();
    }
  });

  test(`${name}: an image is read for its programs; an image that is not there is an error`, async (t) => {
    const d = await make(t);
    if (d === undefined) return;
    try {
      const contents = await d.source.readImage(d.image.id, d.image.reference);
      assert.ok(contents.executables.includes(d.image.holds), `${d.image.holds} among ${contents.executables.length} programs`);
      await assert.rejects(d.source.readImage(`sha256:${'0'.repeat(64)}`, 'tenet-test/absent:1'));
    } finally {
      await d.close();
    }
  });
}
