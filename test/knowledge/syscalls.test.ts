import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileUsage } from '../../src/intent/index.ts';
import { nodeApiMembers, nodeApisOf, nodeSyscallMap } from '../../src/knowledge/index.ts';
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
  has('child_process.spawn', 'clone', 'wait4', 'socketpair', 'dup2');
  has('dns.lookup', 'socket', 'sendto', 'poll', 'recvfrom');
  has('fetch', 'sendto', 'poll', 'recvfrom', 'connect');
  has('fs.open', 'pwrite64', 'pwritev');
  has('fs.copyFile', 'copy_file_range', 'sendfile');
  has('child_process.programs', 'getpgrp', 'vfork');
  has('native.addon', 'open');
  // each end of a connection measured alone: a server never connects, a client never listens
  for (const server of ['net.createServer', 'http.createServer', 'https.createServer', 'http2.createServer']) assert.ok(!map.apis[server]!.includes('connect'), `${server} does not connect`);
  for (const client of ['net.connect', 'http.request', 'fetch', 'tls.connect', 'http2.connect']) assert.ok(!map.apis[client]!.includes('listen') && !map.apis[client]!.includes('accept4'), `${client} does not listen`);
  assert.ok(map.baseline.includes('epoll_pwait') && map.baseline.includes('execve'), 'the event loop and the start are in the baseline');
});

test('a map is found by exact version, else by major version, never across architectures', () => {
  const map = nodeSyscallMap(process.version, process.arch)!;
  assert.equal(nodeSyscallMap(`v${map.node}`, map.arch), map);
  assert.equal(nodeSyscallMap(`${map.node.split('.')[0]}.99.0`, map.arch), map);
  assert.equal(nodeSyscallMap('18.0.0', map.arch), undefined);
  assert.equal(nodeSyscallMap(map.node, 'mips'), undefined);
});

test('every member of a core module the map knows is called by a probe of an API it stands for, and every API named has a probe', () => {
  const fold = (member: string) => member.replace(/Sync$/, '').replace(/^(.+)Async$/, '$1');
  // what each probe calls, as Tenet's own reading of its code sees it
  const callers = new Map<string, Set<string>>();
  for (const probe of PROBES) {
    for (const use of fileUsage('probe.mjs', probe.code).core) {
      for (const key of [use.module, `${use.module}.${use.member}`, `${use.module}.${fold(use.member)}`]) (callers.get(key) ?? callers.set(key, new Set()).get(key)!).add(probe.api);
    }
  }
  const missing: string[] = [];
  for (const { module, member, apis } of nodeApiMembers()) {
    for (const api of apis) assert.ok(PROBES.some((p) => p.api === api), `${module}.${member || '(other)'} names ${api}, which no probe measures`);
    if (apis.length === 0 || member === '*') continue;
    // a member this Node.js does not have on this platform (fs.lchmod on Linux) cannot be called
    const real = (module === 'globals' ? globalThis : process.getBuiltinModule(`node:${module}`)) as Record<string, unknown>;
    if (member !== '' && real[member] === undefined) continue;
    const by = callers.get(member === '' ? module : `${module}.${member}`);
    if (![...(by ?? [])].some((api) => apis.includes(api))) missing.push(`${module}.${member || '(any)'} → ${apis.join(', ')}`);
  }
  assert.deepEqual(missing, [], 'members no probe of theirs calls');
});

test('every member fs has (and fs.promises) is named by the map: none falls to all of fs', () => {
  const fs = process.getBuiltinModule('node:fs');
  const members = new Set([...Object.getOwnPropertyNames(fs), ...Object.getOwnPropertyNames(fs.promises)].filter((m) => /^[A-Za-z_$][\w$]*$/.test(m) && m !== 'promises' && m !== 'default'));
  const every = nodeApisOf('fs', '*')!.length;
  const unnamed = [...members].filter((m) => nodeApisOf('fs', m)!.length === every);
  assert.deepEqual(unnamed, []);
  assert.deepEqual(nodeApisOf('fs', 'F_OK'), []);
  assert.deepEqual(nodeApisOf('fs', 'FileReadStream'), nodeApisOf('fs', 'ReadStream'));
  assert.deepEqual(nodeApisOf('fs', 'mkdtempDisposableSync'), ['fs.mkdtemp', 'fs.rm']);
});
