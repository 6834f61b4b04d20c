import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readContentStore, readImage } from '../../src/image/index.ts';
import { imageIntent } from '../../src/intent/index.ts';
import { NODE_ROOT, criImageRef } from '../../lab/node.ts';
import { docker, inLab, LAB_IMAGES } from './lab.ts';

test('an image read in place from containerd\'s content store is the image the Docker engine gives: same id, layers, programs and packages', { timeout: 120_000 }, async (t) => {
  if (!(await inLab(t))) return;
  const store = join(NODE_ROOT, 'io.containerd.content.v1.content');
  for (const tag of [LAB_IMAGES.nginx, LAB_IMAGES.busybox]) {
    const id = docker('image', 'inspect', '-f', '{{.Id}}', tag);
    const fromStore = await readContentStore(store, id, `containerd:${criImageRef(tag)}`, { verify: true });
    const fromEngine = await readImage(`image:${id}`);
    assert.equal(fromStore.id, id);
    assert.equal(fromStore.transport, 'containerd');
    assert.deepEqual(fromStore.layers.map((l) => l.diffId), fromEngine.layers.map((l) => l.diffId));
    const [a, b] = [imageIntent(fromStore).model, imageIntent(fromEngine).model];
    assert.deepEqual(a.inventory?.executables, b.inventory?.executables, tag);
    assert.deepEqual(a.inventory?.packages, b.inventory?.packages, tag);
    assert.ok((a.inventory?.executables.length ?? 0) > 0);
  }
  await assert.rejects(readContentStore(store, `sha256:${'0'.repeat(64)}`, 'containerd:absent'), /no manifest of sha256:0+ in the content store/);
});
