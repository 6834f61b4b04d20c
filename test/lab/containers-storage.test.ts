// containers/storage, as CRI-O keeps images: written here by skopeo (the same
// library CRI-O pulls with) from the Docker engine's images into a storage of
// the test's own, then read in place and compared with the engine's read.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ContainersStorage, readImage } from '../../src/image/index.ts';
import { imageIntent } from '../../src/intent/index.ts';
import { docker, inLab, LAB_IMAGES } from './lab.ts';

const work = mkdtempSync(join(tmpdir(), 'tenet-lab-storage-'));
const root = join(work, 'root');
const runroot = join(work, 'run');

after(() => {
  // the overlay driver bind-mounts its own folder
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n').reverse()) {
    const at = line.split(' ')[1];
    if (at !== undefined && at.startsWith(work)) spawnSync('umount', ['-l', at]);
  }
  rmSync(work, { recursive: true, force: true });
});

test('an image read in place from containers/storage (overlay) is the image the Docker engine gives: same id, layers, programs and packages; each layer\'s tar is made again byte for byte', { timeout: 180_000 }, async (t) => {
  if (!(await inLab(t))) return;
  const storage = new ContainersStorage(root, 'overlay');
  for (const tag of [LAB_IMAGES.nginx, LAB_IMAGES.busybox]) {
    const copied = spawnSync('skopeo', ['copy', '-q', `docker-daemon:${tag}`, `containers-storage:[overlay@${root}+${runroot}]${tag}`], { encoding: 'utf8' });
    assert.equal(copied.status, 0, copied.stderr);
    const id = docker('image', 'inspect', '-f', '{{.Id}}', tag);
    // CRI-O names an image by its id without the algorithm
    const fromStorage = await storage.read(id.replace(/^sha256:/, ''), `containers-storage:${tag}`, { verify: true });
    const fromEngine = await readImage(`image:${id}`);
    assert.equal(fromStorage.id, id);
    assert.equal(fromStorage.transport, 'containers-storage');
    assert.ok(fromStorage.repoTags.some((n) => n.endsWith(tag)), JSON.stringify(fromStorage.repoTags));
    assert.ok(fromStorage.layers.every((l) => l.verified), 'every layer hashed');
    assert.deepEqual(fromStorage.layers.map((l) => l.diffId), fromEngine.layers.map((l) => l.diffId), 'the tars made again hash to the config\'s diff_ids');
    const [a, b] = [imageIntent(fromStorage).model, imageIntent(fromEngine).model];
    assert.deepEqual(a.inventory?.executables, b.inventory?.executables, tag);
    assert.deepEqual(a.inventory?.packages, b.inventory?.packages, tag);
    assert.ok((a.inventory?.executables.length ?? 0) > 0);
  }
  await assert.rejects(storage.read('0'.repeat(64), 'containers-storage:absent'), /no image 0+ in the containers storage/);

  // a layer whose tar-split is gone, or whose files were changed, is a clear error
  const busybox = docker('image', 'inspect', '-f', '{{.Id}}', LAB_IMAGES.busybox).replace(/^sha256:/, '');
  const layers = join(root, 'overlay-layers');
  const [split] = readdirSync(layers).filter((f) => f.endsWith('.tar-split.gz')).filter((f) => spawnSync('sh', ['-c', `zcat ${join(layers, f)} | grep -q busybox`]).status === 0);
  assert.ok(split !== undefined, 'the busybox layer');
  const kept = readFileSync(join(layers, split));
  writeFileSync(join(layers, split), gzipSync(Buffer.from('{"type":1,"name":"../../etc/shadow","size":10,"payload":null,"position":0}\n')));
  await assert.rejects(storage.read(busybox, 'containers-storage:busybox'), /names "..\/..\/etc\/shadow", outside the layer/);
  writeFileSync(join(layers, split), gzipSync(Buffer.from('{"type":1,"name":"bin/busybox","size":999999999,"payload":null,"position":0}\n')));
  await assert.rejects(storage.read(busybox, 'containers-storage:busybox'), /bin\/busybox has \d+ bytes in the layer's files, its tar says 999999999/);
  // a folder of the layer that is a link (to the host's /etc) is not followed
  const diff = join(root, 'overlay', split.replace('.tar-split.gz', ''), 'diff');
  symlinkSync('/etc', join(diff, 'escape'));
  writeFileSync(join(layers, split), gzipSync(Buffer.from('{"type":1,"name":"escape/hostname","size":4,"payload":null,"position":0}\n')));
  await assert.rejects(storage.read(busybox, 'containers-storage:busybox'), /escape\/hostname: cannot read it from the layer's files \(\/escape is not a folder of the layer\)/);
  rmSync(join(diff, 'escape'));
  rmSync(join(layers, split));
  await assert.rejects(storage.read(busybox, 'containers-storage:busybox'), /no tar-split \(ENOENT\)/);
  writeFileSync(join(layers, split), kept);
  assert.equal((await storage.read(busybox, 'containers-storage:busybox')).id, `sha256:${busybox}`);
});
