import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageIntent, intentManifest, readIntentManifest } from '../../../src/intent/index.ts';
import { isAppSource } from '../../../src/image/index.ts';
import type { ImageContents, LayerEntry } from '../../../src/model/index.ts';

/** An image of one layer: a Node.js binary, and an app whose files are given with their text. */
function image(cmd: string[], workdir: string, sources: Record<string, string>): ImageContents {
  const entries: LayerEntry[] = [
    { path: '/usr/local/bin/node', type: 'file', mode: 0o755, uid: 0, gid: 0, size: 10, sha256: 'a'.repeat(64), format: 'elf' },
    ...Object.entries(sources).map(([path, text]) => ({ path, type: 'file' as const, mode: 0o644, uid: 0, gid: 0, size: text.length })),
  ];
  return {
    reference: 'docker-archive:app.tar', transport: 'docker-archive', id: `sha256:${'b'.repeat(64)}`, repoTags: [], repoDigests: [],
    config: { config: { Cmd: cmd, WorkingDir: workdir, Env: ['PATH=/usr/local/bin:/usr/bin:/bin'] } },
    layers: [{ diffId: `sha256:${'c'.repeat(64)}`, verified: true, size: 0, entries, whiteouts: [], opaque: [], files: sources, warnings: [] }],
  } as unknown as ImageContents;
}

const PACKAGE = '{ "name": "shop-api", "version": "1.0.0" }\n';
const SERVER = [
  "const { spawn } = require('child_process');",
  "require('http').createServer((q, s) => spawn('convert', ['-']).on('exit', () => s.end())).listen(8080);",
  '',
].join('\n');

test('the Node.js app an image\'s command runs is read from the image: its programs, ports and syscalls, each at its file and line in the image', () => {
  const { model } = imageIntent(image(['node', 'src/server.js'], '/srv/api', { '/srv/api/package.json': PACKAGE, '/srv/api/src/server.js': SERVER }));
  assert.deepEqual(model.processes.filter((p) => p.path === 'convert').map((p) => p.sources.map((s) => `${s.kind} ${s.file}:${s.line}`)), [['code /srv/api/src/server.js:2']]);
  assert.deepEqual(model.network.listen.map((l) => [l.port, l.sources.map((s) => `${s.file}:${s.line}`)]), [[8080, ['/srv/api/src/server.js:2']]]);
  assert.ok(model.syscalls.allow.includes('clone'), 'starting a program takes clone');
  // the same app run by an absolute path from another folder: the app is the folder with the package.json
  const absolute = imageIntent(image(['node', '/srv/api/src/server.js'], '/', { '/srv/api/package.json': PACKAGE, '/srv/api/src/server.js': SERVER })).model;
  assert.deepEqual(absolute.network.listen.map((l) => l.port), [8080]);
  // a command that runs no script of the image: no code intent, and no error
  const none = imageIntent(image(['node', 'missing.js'], '/srv/api', { '/srv/api/package.json': PACKAGE })).model;
  assert.equal(none.network.listen.length, 0);
});

test('app sources are read from layers; the system\'s own JavaScript is not', () => {
  assert.deepEqual(['/srv/app/server.js', '/usr/src/app/index.mjs', '/app/package.json', '/home/node/app/lib/a.cjs'].map(isAppSource), [true, true, true, true]);
  assert.deepEqual(['/usr/lib/node_modules/npm/index.js', '/usr/local/lib/node_modules/corepack/x.js', '/usr/share/doc/a.js', '/etc/x.json', '/srv/app/readme.md', '/root/.npm/_cacache/x.json'].map(isAppSource), [false, false, false, false, false, false]);
});

test('an intent manifest is canonical, named by its digest, and refuses a model of another image', () => {
  const { model } = imageIntent(image(['node', 'server.js'], '/srv/api', { '/srv/api/package.json': PACKAGE, '/srv/api/server.js': SERVER }));
  const file = intentManifest(model, { createdAt: '2026-01-01T00:00:00.000Z' });
  const reordered = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(file.text) as Record<string, unknown>).reverse()));
  const read = readIntentManifest(reordered);
  assert.ok(read.ok);
  assert.deepEqual([read.file.text, read.file.digest], [file.text, file.digest], 'keys in another order: the same bytes, the same digest');
  assert.match(file.digest, /^sha256:[0-9a-f]{64}$/);
  const other = JSON.parse(file.text) as { image: string };
  other.image = `sha256:${'d'.repeat(64)}`;
  assert.deepEqual(readIntentManifest(JSON.stringify(other)), { ok: false, reason: 'not an intent manifest: model.id: the model\'s id is not the image the manifest is for' });
  assert.deepEqual(readIntentManifest('{'), { ok: false, reason: 'not JSON: Expected property name or \'}\' in JSON at position 1 (line 1 column 2)' });
  assert.equal(readIntentManifest('{"kind":"IntentModel"}').ok, false);
});
