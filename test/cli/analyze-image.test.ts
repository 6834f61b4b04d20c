import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Analysis } from '../../src/model/index.ts';
import { dockerArchive, elf, sha256 } from '../image/tar-builder.ts';
import { tenet } from '../run-cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tenet-cli-image-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const SERVER = elf('/lib64/ld-linux-x86-64.so.2', 'server');
const image = dockerArchive([{
  entries: [
    { path: 'usr/lib/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
    { path: 'etc/os-release', type: 'SymbolicLink', linkpath: '../usr/lib/os-release' },
    { path: 'var/lib/dpkg/status', content: 'Package: redis-server\nStatus: install ok installed\nVersion: 5:7.0.15-1~deb12u4\n' },
    { path: 'var/lib/dpkg/info/redis-server.list', content: '/.\n/usr\n/usr/bin\n/usr/bin/redis-server\n' },
    { path: 'usr/bin/redis-server', mode: 0o755, content: SERVER },
  ],
}], { config: { Cmd: ['redis-server'], ExposedPorts: { '6379/tcp': {} }, User: 'redis', Env: ['PATH=/usr/bin'] } }, 'shop/cache:7');

test('an image archive is modelled: id is the config digest, inventory and entrypoint resolved', () => {
  const path = join(tmp, 'cache.tar');
  writeFileSync(path, image.archive);
  const run = tenet(['analyze', `docker-archive:${path}`, '--format', 'json', '--fail-on', 'none']);
  assert.equal(run.status, 0, run.stderr);
  const { models, findings } = Analysis.parse(JSON.parse(run.stdout));
  assert.deepEqual(findings, []);
  assert.equal(models.length, 1);
  const model = models[0]!;
  assert.equal(model.id, image.id);
  assert.equal(model.image, 'shop/cache:7');
  assert.deepEqual(model.os, { id: 'debian', version: '12' });
  assert.deepEqual(model.inventory?.executables, [{
    path: '/usr/bin/redis-server', sha256: sha256(SERVER).slice(7), size: SERVER.length, format: 'elf',
    interpreter: '/lib64/ld-linux-x86-64.so.2', package: 'redis-server', layer: image.diffIds[0],
  }]);
  assert.deepEqual(model.processes.map((p) => [p.role, p.path, p.user, p.sha256]), [['main', '/usr/bin/redis-server', 'redis', sha256(SERVER).slice(7)]]);
  const listen = model.network.listen.find((l) => l.port === 6379);
  assert.deepEqual(listen?.sources.map((s) => s.kind), ['image', 'knowledge']);

  const table = tenet(['analyze', `docker-archive:${path}`, '--fail-on', 'none']);
  const short = image.id.slice(0, 'sha256:'.length + 12);
  assert.match(table.stdout, /image shop\/cache:7 +shop\/cache:7 +redis +6379 /);
  assert.match(table.stdout, new RegExp(`Images \\(1\\)\\n +IMAGE +ID +OS +PACKAGES +EXECUTABLES +RUNS\\n +shop/cache:7 +${short} +debian 12 +1 +1 +/usr/bin/redis-server\\n`));
});

test('an image that cannot be read is a finding; manifests beside it are still analysed, exit 2', () => {
  const broken = join(tmp, 'broken.tar');
  writeFileSync(broken, image.archive.subarray(0, 3000));
  const pod = join(tmp, 'pod.yaml');
  writeFileSync(pod, 'apiVersion: v1\nkind: Pod\nmetadata: {name: cache}\nspec:\n  containers:\n  - name: redis\n    image: shop/cache:7\n');
  const run = tenet(['analyze', `docker-archive:${broken}`, pod, 'oci:/nonexistent/layout', '--format', 'json']);
  assert.equal(run.status, 2, run.stderr);
  const { models, findings } = Analysis.parse(JSON.parse(run.stdout));
  assert.deepEqual(findings.filter((f) => f.code === 'TN015').map((f) => [f.location.file.replace(tmp, 'TMP'), f.message.replace(tmp, 'TMP').replace(/\d+ bytes, only \d+/, 'N bytes, only M')]), [
    [`docker-archive:TMP/broken.tar`, `docker-archive:TMP/broken.tar: truncated: "layer0/layer.tar" claims N bytes, only M remain`],
    ['oci:/nonexistent/layout', 'oci:/nonexistent/layout: no such folder or file: /nonexistent/layout'],
  ]);
  assert.deepEqual(models.map((m) => m.workload?.name), ['cache']);
});

test('a manifest naming the image takes it in: one model, the digest as id, declared and image sources joined', () => {
  const path = join(tmp, 'cache2.tar');
  writeFileSync(path, image.archive);
  const pod = join(tmp, 'pod2.yaml');
  writeFileSync(pod, 'apiVersion: v1\nkind: Pod\nmetadata: {name: cache, namespace: shop}\nspec:\n  containers:\n  - name: redis\n    image: docker.io/shop/cache:7\n    ports: [{containerPort: 6379}]\n');
  const run = tenet(['analyze', pod, `docker-archive:${path}`, '--format', 'json', '--fail-on', 'none']);
  assert.equal(run.status, 0, run.stderr);
  const { models } = Analysis.parse(JSON.parse(run.stdout));
  assert.equal(models.length, 1);
  assert.equal(models[0]!.id, image.id);
  assert.equal(models[0]!.workload?.name, 'cache');
  assert.deepEqual(models[0]!.network.listen.find((l) => l.port === 6379)?.sources.map((s) => s.kind), ['declared', 'image', 'knowledge']);
  assert.equal(models[0]!.processes.find((p) => p.role === 'main')?.path, '/usr/bin/redis-server');
});
