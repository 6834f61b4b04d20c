import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { elfImports } from '../../src/intent/node/native.ts';
import { nativeNeeds } from '../../src/knowledge/index.ts';

/** A real prebuilt addon from npm, installed with this project's dependencies (Rust, built with napi-rs). */
const ADDON = createRequire(import.meta.url).resolve('lightningcss-linux-x64-gnu/lightningcss.linux-x64-gnu.node');

test('a real addon\'s imports are read from its ELF dynamic symbols, and rustc is recognised', () => {
  const bytes = readFileSync(ADDON);
  const elf = elfImports(bytes);
  assert.ok(elf, 'read as an ELF shared object');
  assert.equal(elf.rust, true);
  for (const name of ['open64', 'read', 'syscall', 'pthread_create', 'napi_create_function']) assert.ok(elf.imports.includes(name), name);
  // versions are dropped, and what the addon defines is not an import
  assert.ok(elf.imports.every((n) => !n.includes('@')));
  assert.ok(!elf.imports.some((n) => n.startsWith('napi_register_module')));
  const needs = nativeNeeds(elf.imports, elf.rust);
  assert.deepEqual(needs.unknown, []);
  assert.deepEqual(needs.apis, [], 'no sockets, no programs, no watching');
  assert.ok(needs.syscalls.includes('open') && needs.syscalls.includes('futex'));
  // bad input: not an ELF, a truncated one
  assert.equal(elfImports(Buffer.from('#!/bin/sh\n')), undefined);
  assert.equal(elfImports(bytes.subarray(0, 4096)), undefined);
  assert.equal(elfImports(new Uint8Array(0)), undefined);
});

test('imports stand for syscalls or Node APIs\' probes; one Tenet does not know leaves the addon unbounded', () => {
  assert.deepEqual(nativeNeeds(['malloc', 'memcpy', 'pthread_mutex_lock', 'napi_create_object', '_ZNSsC1Ev', 'sinf'], false), { apis: [], syscalls: [], unknown: [] });
  assert.deepEqual(nativeNeeds(['socket', 'connect', 'getaddrinfo'], false).apis, ['dgram.createSocket', 'dns.lookup', 'net.connect', 'net.createServer', 'net.unix']);
  assert.deepEqual(nativeNeeds(['popen'], false).apis, ['child_process.programs', 'child_process.spawn']);
  assert.deepEqual(nativeNeeds(['inotify_init1', 'unlinkat', 'abort'], false), { apis: ['fs.watch'], syscalls: ['tgkill', 'unlink', 'unlinkat'], unknown: [] });
  assert.deepEqual(nativeNeeds(['_ZNSt10filesystem6removeERKNS_4pathE'], false).apis.includes('fs.rm'), true);
  assert.deepEqual(nativeNeeds(['uv_fs_open', 'uv_queue_work'], false).apis.includes('fs.open'), true);
  // the generic syscall(): Rust's standard library's calls, else anything
  assert.deepEqual(nativeNeeds(['syscall'], false).unknown, ['syscall']);
  assert.deepEqual(nativeNeeds(['syscall'], true).unknown, []);
  assert.deepEqual(nativeNeeds(['ptrace', 'malloc', 'mount'], false).unknown, ['ptrace', 'mount']);
});
