import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerEntry, LayerIndex } from '../../../src/model/index.ts';
import { MergedFilesystem } from '../../../src/intent/image/filesystem.ts';

function layer(diffId: string, entries: Array<Partial<LayerEntry> & { path: string }>, extra: Partial<LayerIndex> = {}): LayerIndex {
  return {
    diffId,
    verified: false,
    size: 0,
    entries: entries.map((e) => ({ type: 'file', mode: 0o755, uid: 0, gid: 0, size: 1, ...e })),
    whiteouts: [],
    opaque: [],
    files: {},
    warnings: [],
    ...extra,
  };
}

test('layers merge as overlayfs does: whiteouts delete, opaque folders hide, later entries replace', () => {
  const fs = new MergedFilesystem([
    layer('sha256:a', [
      { path: '/usr', type: 'dir' }, { path: '/usr/bin', type: 'dir' },
      { path: '/usr/bin/app', sha256: 'old' }, { path: '/usr/bin/gone', sha256: 'g' },
      { path: '/opt/plugins/a', sha256: 'a' }, { path: '/opt/plugins/sub/b', sha256: 'b' },
      { path: '/srv', type: 'dir' }, { path: '/srv/x', sha256: 'x' },
    ]),
    layer('sha256:b', [{ path: '/usr/bin/app', sha256: 'new' }, { path: '/opt/plugins/c', sha256: 'c' }, { path: '/srv', type: 'file', sha256: 's' }], {
      whiteouts: ['/usr/bin/gone'],
      opaque: ['/opt/plugins'],
    }),
  ]);
  assert.deepEqual(fs.list().map((m) => `${m.entry.path} ${m.entry.sha256 ?? m.entry.type} ${m.layer}`), [
    '/opt/plugins/c c 1',
    '/srv s 1', // a file over a folder hides what the folder held
    '/usr dir 0',
    '/usr/bin dir 0',
    '/usr/bin/app new 1',
  ]);
});

test('whiteouts of a folder delete everything under it; opaque applies only to lower layers', () => {
  const fs = new MergedFilesystem([
    layer('sha256:a', [{ path: '/etc/app/conf.d/x' }, { path: '/etc/app/y' }, { path: '/etc/other' }]),
    layer('sha256:b', [{ path: '/etc/app/z' }], { whiteouts: ['/etc/app'] }),
    layer('sha256:c', [{ path: '/etc/other2' }], { opaque: ['/etc'] }),
  ]);
  assert.deepEqual(fs.list().map((m) => m.entry.path), ['/etc/other2']);
});

test('links resolve inside the image: absolute from its root, .. stopping at it, loops refused', () => {
  const fs = new MergedFilesystem([layer('sha256:a', [
    { path: '/bin', type: 'symlink', link: 'usr/bin' },
    { path: '/usr/bin/sh', type: 'symlink', link: 'dash' },
    { path: '/usr/bin/dash' },
    { path: '/etc/alternatives/awk', type: 'symlink', link: '/usr/bin/mawk' },
    { path: '/usr/bin/awk', type: 'symlink', link: '/etc/alternatives/awk' },
    { path: '/usr/bin/mawk' },
    { path: '/usr/bin/escape', type: 'symlink', link: '../../../../../host/etc/shadow' },
    { path: '/loop/a', type: 'symlink', link: 'b' },
    { path: '/loop/b', type: 'symlink', link: 'a' },
  ])]);
  assert.equal(fs.resolve('/bin/sh'), '/usr/bin/dash');
  assert.equal(fs.resolve('/bin/sh', false), '/usr/bin/sh');
  assert.equal(fs.resolve('/usr/bin/awk'), '/usr/bin/mawk');
  assert.equal(fs.resolve('/usr/bin/escape'), '/host/etc/shadow');
  assert.equal(fs.resolve('/loop/a'), undefined);
  assert.equal(fs.resolve('/usr/./bin/../bin/dash'), '/usr/bin/dash');
});

test('captured files are read through links, from the layer that holds them last', () => {
  const fs = new MergedFilesystem([
    layer('sha256:a', [{ path: '/usr/lib/os-release', mode: 0o644 }, { path: '/etc/os-release', type: 'symlink', link: '../usr/lib/os-release' }], { files: { '/usr/lib/os-release': 'ID=debian\n' } }),
    layer('sha256:b', [{ path: '/usr/lib/os-release', mode: 0o644 }], { files: { '/usr/lib/os-release': 'ID=ubuntu\n' } }),
  ]);
  assert.equal(fs.read('/etc/os-release'), 'ID=ubuntu\n');
  assert.equal(fs.read('/etc/missing'), undefined);
});
