import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeSyscallMap } from '../../src/knowledge/index.ts';
import { PROBES } from '../../scripts/syscall-map/probes.ts';

test('the syscall map covers every probed API for this Node.js, with plausible sets', () => {
  const map = nodeSyscallMap(process.version, process.arch);
  assert.ok(map, `a syscall map for Node ${process.version} ${process.arch} (npm run syscall-map)`);
  assert.deepEqual(Object.keys(map.apis).sort(), PROBES.map((p) => p.api).sort());
  for (const name of [...map.baseline, ...Object.values(map.apis).flat()]) assert.match(name, /^[a-z][a-z0-9_]*$/);
  for (const [api, names] of Object.entries(map.apis)) {
    assert.deepEqual(names, [...new Set(names)].sort(), `${api}: sorted, distinct`);
    for (const name of names) assert.ok(!map.baseline.includes(name), `${api}: ${name} is already in the baseline`);
  }
  const has = (api: string, ...names: string[]) => {
    for (const name of names) assert.ok(map.apis[api]?.includes(name), `${api} needs ${name}`);
  };
  has('fs.watch', 'inotify_init1', 'inotify_add_watch');
  has('fs.mkdir', 'mkdir');
  has('net.createServer', 'socket', 'bind', 'listen');
  has('net.connect', 'connect');
  has('dgram.createSocket', 'socket', 'sendmsg');
  has('child_process.spawn', 'clone', 'wait4');
  assert.ok(map.baseline.includes('epoll_pwait') && map.baseline.includes('execve'), 'the event loop and the start are in the baseline');
});

test('a map is found by exact version, else by major version, never across architectures', () => {
  const map = nodeSyscallMap(process.version, process.arch)!;
  assert.equal(nodeSyscallMap(`v${map.node}`, map.arch), map);
  assert.equal(nodeSyscallMap(`${map.node.split('.')[0]}.99.0`, map.arch), map);
  assert.equal(nodeSyscallMap('18.0.0', map.arch), undefined);
  assert.equal(nodeSyscallMap(map.node, 'mips'), undefined);
});
