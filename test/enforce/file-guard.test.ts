import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveIn } from '../../src/enforce/index.ts';

const root = mkdtempSync(join(tmpdir(), 'tenet-root-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('paths of a container resolve as the container sees them: absolute links from its own root', () => {
  mkdirSync(join(root, 'run/nginx'), { recursive: true });
  mkdirSync(join(root, 'var'));
  writeFileSync(join(root, 'run/nginx.pid'), '1');
  symlinkSync('/run', join(root, 'var/run'));
  symlinkSync('../run/nginx', join(root, 'var/nginx'));
  symlinkSync('/loop', join(root, 'loop'));
  assert.deepEqual(resolveIn(root, '/var/run/nginx.pid'), { path: '/run/nginx.pid', exists: true });
  assert.deepEqual(resolveIn(root, '/var/nginx/x.sock'), { path: '/run/nginx/x.sock', exists: false });
  assert.deepEqual(resolveIn(root, '/var/./run/../var/run/'), { path: '/run', exists: true });
  assert.deepEqual(resolveIn(root, '/etc/passwd'), { path: '/etc/passwd', exists: false });
  assert.equal(resolveIn(root, '/loop/x'), undefined, 'a link to itself');
});
