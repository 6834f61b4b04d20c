// containerd's content store read in place, on a store written here: an
// image found by its config's digest among the blobs, one added later found
// by looking at the new blobs, a removed manifest said and looked for again.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ContentStore } from '../../src/image/index.ts';
import { elf, sha256, tar } from './tar-builder.ts';

const dir = mkdtempSync(join(tmpdir(), 'tenet-content-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const blobs = join(dir, 'blobs', 'sha256');
mkdirSync(blobs, { recursive: true });

/** Writes an image's blobs (layer, config, manifest); returns its id and its manifest's blob. */
function image(program: string): { id: string; manifest: string } {
  const layer = tar([{ path: `usr/bin/${program}`, content: elf('/lib64/ld-linux-x86-64.so.2'), mode: 0o755 }]);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Entrypoint: [`/usr/bin/${program}`] }, rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
  }));
  for (const blob of [layer, config, manifest]) writeFileSync(join(blobs, sha256(blob).slice(7)), blob);
  return { id: sha256(config), manifest: join(blobs, sha256(manifest).slice(7)) };
}

test('images of a content store by the runtime\'s image id: found among the blobs, a later one too, a removed one said', async () => {
  const store = new ContentStore(dir);
  const api = image('api');
  const first = await store.read(api.id, 'containerd:shop/api:1', { verify: true });
  assert.deepEqual([first.id, first.transport, first.layers[0]!.entries.some((e) => e.path === '/usr/bin/api')], [api.id, 'containerd', true]);

  // an image pulled after the first read
  const worker = image('worker');
  assert.equal((await store.read(worker.id, 'containerd:shop/worker:1')).id, worker.id);
  await assert.rejects(store.read(sha256('no such config'), 'containerd:absent'), /no manifest of sha256:[0-9a-f]{64} in the content store/);

  // a manifest gone (the image removed): an error, and looked for again once it is back
  renameSync(api.manifest, join(dir, 'removed'));
  await assert.rejects(store.read(api.id, 'containerd:shop/api:1'));
  await assert.rejects(store.read(api.id, 'containerd:shop/api:1'), /no manifest of/);
  renameSync(join(dir, 'removed'), api.manifest);
  assert.equal((await store.read(api.id, 'containerd:shop/api:1')).id, api.id);
});
