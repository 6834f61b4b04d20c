import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CriSource } from '../../src/runtime/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'tenet-cri-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const none = async () => ({ executables: [] });

test('CRI-O\'s containers/storage is where its info says (GET /info on its socket), under the runtime\'s root; the default when it does not say', async () => {
  const socket = join(dir, 'crio.sock');
  const server = createServer((req, res) => {
    if (req.url === '/info') res.end(JSON.stringify({ storage_driver: 'vfs', storage_root: '/srv/storage', cgroup_driver: 'systemd' }));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  const crio = new CriSource(socket, none, { root: '/proc/42/root' });
  try {
    assert.deepEqual(await crio.containersStorage(), { root: '/proc/42/root/srv/storage', driver: 'vfs' });
  } finally {
    crio.close();
    await new Promise((resolve) => server.close(resolve));
  }
  const silent = new CriSource(join(dir, 'absent.sock'), none);
  try {
    assert.deepEqual(await silent.containersStorage(), { root: '/var/lib/containers/storage', driver: 'overlay' });
  } finally {
    silent.close();
  }
});
