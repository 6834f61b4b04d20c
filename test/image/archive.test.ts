import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ImageError, readImage } from '../../src/image/index.ts';
import { dockerArchive, elf, sha256, tar } from './tar-builder.ts';

const dir = mkdtempSync(join(tmpdir(), 'tenet-image-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const NGINX = elf('/lib64/ld-linux-x86-64.so.2', 'nginx');
const base = {
  entries: [
    { path: 'etc/', type: 'Directory' as const },
    { path: 'usr/lib/os-release', content: 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' },
    { path: 'etc/os-release', type: 'SymbolicLink' as const, linkpath: '../usr/lib/os-release' },
    { path: 'usr/sbin/nginx', mode: 0o755, content: NGINX },
    { path: 'usr/bin/tool', mode: 0o755, content: '#!/bin/sh\necho tool\n' },
    { path: 'usr/bin/tool-again', type: 'Link' as const, linkpath: 'usr/bin/tool' },
    { path: 'opt/data/old', mode: 0o755, content: '#!/bin/sh\n' },
  ],
};
const upper = {
  entries: [
    { path: 'usr/bin/.wh.tool', content: '' },
    { path: 'opt/data/.wh..wh..opq', content: '' },
    { path: 'opt/data/new', mode: 0o755, content: '#!/bin/sh\nnew\n' },
  ],
};

test('a docker save archive: config digest, layers in order, executables hashed with format and interpreter', async () => {
  for (const [name, gzip] of [['plain', false], ['gzip', true]] as const) {
    const { archive, id, diffIds } = dockerArchive([{ ...base, gzip }, upper], { config: { Cmd: ['nginx', '-g', 'daemon off;'] } });
    const path = write(`${name}.tar`, archive);
    for (const verify of [false, true]) {
      const image = await readImage(`docker-archive:${path}`, { verify });
      assert.equal(image.id, id);
      assert.equal(image.transport, 'docker-archive');
      assert.deepEqual(image.repoTags, ['test/app:1']);
      assert.deepEqual(image.layers.map((l) => l.diffId), diffIds);
      assert.deepEqual(image.layers.map((l) => l.verified), [verify, verify], `${name} verify=${verify}`);
      const nginx = image.layers[0]!.entries.find((e) => e.path === '/usr/sbin/nginx');
      assert.deepEqual(nginx, {
        path: '/usr/sbin/nginx', type: 'file', mode: 0o755, uid: 0, gid: 0, size: NGINX.length,
        sha256: sha256(NGINX).slice(7), format: 'elf', interpreter: '/lib64/ld-linux-x86-64.so.2',
      });
      const again = image.layers[0]!.entries.find((e) => e.path === '/usr/bin/tool-again');
      assert.equal(again?.sha256, sha256('#!/bin/sh\necho tool\n').slice(7));
      assert.equal(again?.interpreter, '/bin/sh');
      assert.deepEqual(image.layers[1]!.whiteouts, ['/usr/bin/tool']);
      assert.deepEqual(image.layers[1]!.opaque, ['/opt/data']);
      assert.match(image.layers[0]!.files['/usr/lib/os-release'] ?? '', /VERSION_ID="12"/);
    }
  }
});

test('an OCI layout tar with a gzip layer is read and verified against its digests', async () => {
  const layer = tar(base.entries);
  const blob = (await import('node:zlib')).gzipSync(layer);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(blob), size: blob.length }],
  }));
  const index = JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(manifest), size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }],
  });
  const blobEntry = (data: Buffer) => ({ path: `blobs/sha256/${sha256(data).slice(7)}`, content: data });
  const path = write('oci.tar', tar([{ path: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' }, { path: 'index.json', content: index }, blobEntry(config), blobEntry(manifest), blobEntry(blob)]));
  const image = await readImage(`oci:${path}:v1`, { verify: true });
  assert.equal(image.id, sha256(config));
  assert.equal(image.manifestDigest, sha256(manifest));
  assert.equal(image.layers[0]!.digest, sha256(blob));
  assert.equal(image.layers[0]!.diffId, sha256(layer));
  await assert.rejects(readImage(`oci:${path}:v2`), /no image tagged "v2"/);
});

async function rejects(name: string, archive: Buffer, pattern: RegExp, verify = false): Promise<void> {
  const path = write(name, archive);
  const started = Date.now();
  await assert.rejects(readImage(`docker-archive:${path}`, { verify }), (e: Error) => {
    assert.ok(e instanceof ImageError, `${name}: ${e.stack}`);
    assert.match(e.message, pattern, name);
    return true;
  });
  assert.ok(Date.now() - started < 5000, `${name} was refused quickly`);
}

test('bad archives are refused with a clear error, quickly, without writing anything', async () => {
  const before = readdirSync(tmpdir()).length;
  const { archive } = dockerArchive([base, upper]);
  await rejects('truncated.tar', archive.subarray(0, Math.floor(archive.length / 2)), /truncated|no manifest|has no/);
  await rejects('not-a-tar.tar', Buffer.from('hello, this is not an image\n'.repeat(40)), /bad tar header|neither/);
  await rejects('empty.tar', Buffer.alloc(0), /neither a docker save archive/);

  const missing = tar([
    { path: 'manifest.json', content: JSON.stringify([{ Config: 'c.json', Layers: ['gone/layer.tar'] }]) },
    { path: 'c.json', content: JSON.stringify({ rootfs: { diff_ids: [sha256('x')] } }) },
  ]);
  await rejects('missing-layer.tar', missing, /has no gone\/layer\.tar/);

  const tenGigabytes = 10 * 1024 ** 3;
  const claim = tar([{ path: 'layer0/layer.tar', content: 'x', claimedSize: tenGigabytes }], { trailer: false });
  await rejects('sparse-claim.tar', claim, /truncated: "layer0\/layer.tar" claims 10737418240 bytes/);

  const innerClaim = dockerArchive([{ entries: [{ path: 'usr/bin/huge', mode: 0o755, content: 'x', claimedSize: tenGigabytes }] }]).archive;
  await rejects('inner-claim.tar', innerClaim, /truncated|claims/);
  await rejects('inner-claim-streamed.tar', innerClaim, /not a complete layer tar|truncated|claims/, true);

  const lying = dockerArchive([base]);
  const config = JSON.stringify({ rootfs: { diff_ids: [sha256('other content')] } });
  const hex = sha256(config).slice(7);
  const swapped = tar([
    { path: 'layer0/layer.tar', content: tar(base.entries) },
    { path: `${hex}.json`, content: config },
    { path: 'manifest.json', content: JSON.stringify([{ Config: `${hex}.json`, Layers: ['layer0/layer.tar'] }]) },
  ]);
  assert.ok(lying.archive.length > 0);
  await rejects('diff-id-mismatch.tar', swapped, /does not match the config's diff_id/, true);
  const renamed = tar([
    { path: 'layer0/layer.tar', content: tar(base.entries) },
    { path: `${'0'.repeat(64)}.json`, content: config },
    { path: 'manifest.json', content: JSON.stringify([{ Config: `${'0'.repeat(64)}.json`, Layers: ['layer0/layer.tar'] }]) },
  ]);
  await rejects('config-renamed.tar', renamed, /does not match its name/);
  assert.equal(readdirSync(tmpdir()).length, before, 'no temporary files left behind');
});

test('entries that climb out of the root or link outside are never followed or written', async () => {
  const target = join(dir, 'escaped');
  const { archive } = dockerArchive([{
    entries: [
      { path: '../../escaped', mode: 0o755, content: '#!/bin/sh\nevil\n' },
      { path: 'etc/../../../../escaped-too', content: 'x' },
      { path: 'usr/bin/away', type: 'SymbolicLink', linkpath: target },
      { path: 'usr/bin/up', type: 'SymbolicLink', linkpath: '../../../../../../etc/shadow' },
      { path: 'usr/bin/ok', mode: 0o755, content: '#!/bin/sh\n' },
    ],
  }]);
  const image = await readImage(`docker-archive:${write('hostile.tar', archive)}`);
  const layer = image.layers[0]!;
  assert.deepEqual(layer.entries.map((e) => e.path), ['/usr/bin/away', '/usr/bin/up', '/usr/bin/ok']);
  assert.equal(layer.warnings.length, 2);
  assert.match(layer.warnings[0]!, /"\.\.\/\.\.\/escaped" points outside the image root/);
  assert.equal(existsSync(target), false);
  assert.equal(existsSync(join(dir, '..', 'escaped')), false);
});
