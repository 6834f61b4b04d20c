import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blockForImage, blocksForPackages, BUILDING_BLOCKS } from '../../src/knowledge/index.ts';

test('every building block is well formed and every fact has a reference', () => {
  const ids = BUILDING_BLOCKS.map((b) => b.id);
  assert.equal(new Set(ids).size, ids.length, 'unique ids');
  for (const block of BUILDING_BLOCKS) {
    assert.ok(block.id !== '' && block.name !== '', block.id);
    for (const path of [...block.executables, ...block.writes.map((w) => w.path), ...block.spawns.map((s) => s.path)]) {
      assert.ok(path.startsWith('/') && !path.includes('//'), `${block.id}: ${path}`);
    }
    for (const { port } of block.listen) assert.ok(Number.isInteger(port) && port > 0 && port < 65536, `${block.id}: ${port}`);
    for (const fact of [...block.listen, ...block.writes, ...block.spawns]) assert.ok(fact.reference.trim().length > 10, `${block.id}: reference`);
    for (const image of block.images) assert.equal(image, image.toLowerCase(), `${block.id}: ${image}`);
  }
});

test('blocks are found by package, or else by executable, each once', () => {
  const found = blocksForPackages(
    [{ name: 'nginx-light', manager: 'dpkg' }, { name: 'nginx', manager: 'dpkg' }, { name: 'redis-server', manager: 'dpkg' }, { name: 'libc6', manager: 'dpkg' }],
    ['/usr/sbin/nginx', '/bin/busybox'],
  );
  assert.deepEqual(found.map((f) => [f.block.id, f.because]), [
    ['nginx', 'package nginx (dpkg)'],
    ['redis', 'package redis-server (dpkg)'],
    ['busybox', 'executable /bin/busybox'],
  ]);
  assert.deepEqual(blocksForPackages([{ name: 'nginx', manager: 'apk' }], []).map((f) => f.block.id), ['nginx']);
  assert.deepEqual(blocksForPackages([{ name: 'redis-server', manager: 'apk' }], []), [], 'a name counts only for its own manager');
  assert.deepEqual(blocksForPackages([{ name: 'libssl3', manager: 'dpkg' }], ['/usr/bin/ls']), []);
});

test('an image reference names its block by the repository\'s last segment', () => {
  const digest = `sha256:${'0'.repeat(64)}`;
  const cases: Array<[string, string | undefined]> = [
    ['redis', 'redis'],
    ['docker.io/library/redis:7', 'redis'],
    [`localhost:5000/x/postgres:16@${digest}`, 'postgresql'],
    ['NGINX', 'nginx'],
    ['registry:5000/mariadb', 'mariadb'],
    ['bitnami/redis-stack:7', 'redis-stack'],
    ['myapp', undefined],
    ['redis-like:1', undefined],
  ];
  for (const [reference, id] of cases) assert.equal(blockForImage(reference)?.id, id, reference);
});

test('the ports compose relies on for well-known images', () => {
  const ports = (image: string) => blockForImage(image)?.listen.filter((l) => l.protocol === 'tcp').map((l) => l.port);
  assert.deepEqual(ports('mysql:8'), [3306, 33060]);
  assert.deepEqual(ports('postgres:16'), [5432]);
  assert.deepEqual(ports('redis-stack'), [6379, 8001]);
  assert.deepEqual(ports('mongo'), [27017]);
  assert.deepEqual(ports('elasticsearch:8.15.0'), [9200, 9300]);
  assert.deepEqual(ports('httpd:2.4'), [80]);
});
