// Each fast index of learning is held equal to its plain twin (a Map or Set),
// over random sequences of changes and questions; and a learner over the fast
// indexes judges every event as one over the plain ones does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Learner } from '../../src/learn/index.ts';
import { MapEntryIndex, RowEntryIndex, type EntryIndex } from '../../src/learn/entry-index.ts';
import { InlineFolderIndex, MapFolderIndex, type FolderIndex } from '../../src/learn/folder-index.ts';
import { CodedPeerIndex, peerCode, SetPeerIndex, type PeerIndex } from '../../src/learn/peer-index.ts';
import { BitSyscallIndex, SetSyscallIndex, SYSCALL_LIMIT, type SyscallIndex } from '../../src/learn/syscall-index.ts';
import { emptyModel, type IntentModel, type RuntimeEvent } from '../../src/model/index.ts';

const RUNS = 300;
/** Slots across more than one word of bits (and a list's eight), entries few enough to meet again. */
const slot = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(63, 64, 65, 200, 1023, 1024));
/** Mostly three entries, so that one gathers a list of holders and then a row of them. */
const entry = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('/usr/bin/sh', '*', '10.0.0.7') }, { weight: 1, arbitrary: fc.constantFrom('/usr/sbin/nginx', '/bin/busybox', 'db.internal', 'fd00::1', '') });

test('the entry index holds what its plain twin holds', () => {
  const op = fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('add' as const), entry, slot }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), entry, slot }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('release' as const), slot }) },
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 200, size: 'max' }), (ops) => {
    const fast: EntryIndex = new RowEntryIndex();
    const plain: EntryIndex = new MapEntryIndex();
    for (const o of ops) {
      for (const index of [fast, plain]) {
        if (o.op === 'release') index.release(o.slot);
        else index[o.op](o.entry, o.slot);
      }
      assert.equal(fast.size, plain.size);
    }
    for (const e of ['/usr/bin/sh', '/usr/sbin/nginx', '/bin/busybox', 'db.internal', '*', '10.0.0.7', 'fd00::1', '', 'never']) {
      for (const s of [0, 1, 7, 8, 31, 32, 40, 63, 64, 65, 200, 1023, 1024, 5000]) assert.equal(fast.holds(e, s), plain.holds(e, s), `${e} by ${s}`);
    }
  }), { numRuns: RUNS });
});

test('the syscall index holds the bits its plain twin holds, enforced or not', () => {
  const syscall = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constantFrom(449, SYSCALL_LIMIT - 1));
  const op = fc.oneof(
    fc.record({ op: fc.constant('set' as const), slot, syscall, on: fc.boolean() }),
    fc.record({ op: fc.constant('enforce' as const), slot, on: fc.boolean() }),
    fc.record({ op: fc.constant('clear' as const), slot }),
    fc.record({ op: fc.constant('release' as const), slot }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 120, size: 'max' }), (ops) => {
    const fast: SyscallIndex = new BitSyscallIndex();
    const plain: SyscallIndex = new SetSyscallIndex();
    for (const o of ops) {
      for (const index of [fast, plain]) {
        if (o.op === 'set') index.set(o.slot, o.syscall, o.on);
        else if (o.op === 'enforce') index.enforce(o.slot, o.on);
        else index[o.op](o.slot);
      }
    }
    for (const s of [0, 1, 31, 32, 40, 63, 64, 65, 200, 1023, 1024, 5000]) {
      assert.equal(fast.enforced(s), plain.enforced(s), `slot ${s} enforced`);
      for (const n of [0, 1, 5, 20, 449, SYSCALL_LIMIT - 1]) assert.equal(fast.has(s, n), plain.has(s, n), `slot ${s}, syscall ${n}`);
    }
  }), { numRuns: RUNS });
});

test('the peer index allows the connections its plain twin allows', () => {
  const protocol = fc.constantFrom('tcp', 'udp', 'sctp');
  const port = fc.constantFrom(53, 80, 443, 6379);
  const address = fc.constantFrom('10.0.0.7', '10.0.0.8', 'fd00::1', '*');
  const op = fc.oneof(
    fc.record({ op: fc.constant('add' as const), protocol, port, address, slot }),
    fc.record({ op: fc.constant('delete' as const), protocol, port, address, slot }),
    fc.record({ op: fc.constant('release' as const), slot }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 80, size: 'max' }), (ops) => {
    const fast: PeerIndex = new CodedPeerIndex();
    const plain: PeerIndex = new SetPeerIndex();
    for (const o of ops) {
      for (const index of [fast, plain]) {
        if (o.op === 'release') index.release(o.slot);
        else index[o.op](peerCode(o.protocol, o.port), o.address, o.slot);
      }
    }
    for (const s of [0, 1, 40, 64, 1024]) {
      for (const p of [undefined, 'tcp', 'udp', 'sctp']) {
        for (const n of [53, 80, 443, 6379, 8080]) {
          for (const a of ['10.0.0.7', '10.0.0.8', 'fd00::1', '192.0.2.1']) assert.equal(fast.allows(p, a, n, s), plain.allows(p, a, n, s), `${p}/${a}:${n} by ${s}`);
        }
      }
    }
  }), { numRuns: RUNS });
});

test('the folder index covers the paths its plain twin covers', () => {
  const stem = fc.constantFrom('/tmp/', '/var/log/', '/var/', '/run/nginx/', '/');
  const op = fc.oneof(
    fc.record({ op: fc.constant('set' as const), slot, stems: fc.array(stem, { maxLength: 3 }) }),
    fc.record({ op: fc.constant('release' as const), slot }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 60, size: 'max' }), (ops) => {
    const fast: FolderIndex = new InlineFolderIndex();
    const plain: FolderIndex = new MapFolderIndex();
    for (const o of ops) {
      for (const index of [fast, plain]) {
        if (o.op === 'set') index.set(o.slot, o.stems);
        else index.release(o.slot);
      }
    }
    for (const s of [0, 1, 40, 64, 1024, 5000]) {
      for (const path of ['/tmp/x', '/tmpx', '/var/log/a', '/var/lib/b', '/run/nginx/pid', '/etc/passwd', '/']) assert.equal(fast.covers(s, path), plain.covers(s, path), `${path} by ${s}`);
    }
  }), { numRuns: RUNS });
});

/** A random image's static model: a few of each dimension from small pools, so events meet them. */
const PROGRAMS = ['/usr/sbin/nginx', '/usr/bin/sh', '/usr/bin/curl', '/bin/busybox', 'nginx'];
const PATHS = ['/tmp', '/var/log/nginx', '/run', '/data', '/srv/cache'];
const NAMES = ['db.internal', '*.svc.cluster.local', 'api.example.com'];
const PEERS = ['10.0.0.7', '10.0.0.8', 'fd00::1', '*'];
const SYSCALL_NAMES = ['read', 'write', 'openat', 'mount', 'ptrace', 'arm_fadvise64_64', 'epoll_wait'];

const model = (id: string) => fc.record({
  processes: fc.subarray(PROGRAMS),
  writable: fc.subarray(PATHS),
  dns: fc.subarray(NAMES),
  peers: fc.subarray(PEERS),
  syscalls: fc.subarray(SYSCALL_NAMES),
}).map((m): IntentModel => {
  const seed = emptyModel(id);
  const src = [{ kind: 'image' as const }];
  seed.processes = m.processes.map((path) => ({ path, sources: src }));
  seed.filesystem.writable = m.writable.map((path) => ({ path, sources: src }));
  seed.network.dns = m.dns.map((name) => ({ name, sources: src }));
  seed.network.egress = m.peers.map((host, i) => ({ host, port: [6379, 80, 443, 53][i % 4]!, protocol: 'tcp' as const, sources: src }));
  seed.syscalls.allow = [...m.syscalls];
  return seed;
});

const event: fc.Arbitrary<RuntimeEvent> = fc.oneof(
  fc.record({ kind: fc.constant('exec' as const), path: fc.constantFrom(...PROGRAMS.filter((p) => p.startsWith('/')), '/tmp/x', '/usr/local/bin/nginx'), parent: fc.constantFrom('nginx', 'sh', undefined) })
    .map(({ kind, path, parent }) => ({ kind, process: { pid: 1, path, ...(parent !== undefined && { parent: { pid: 0, name: parent } }) } })),
  fc.record({ kind: fc.constant('write' as const), path: fc.constantFrom('/tmp/a', '/tmp/upload-7f3a9c1e.tmp', '/var/log/nginx/access.log', '/run/x.pid', '/etc/passwd', '/data/1/2', '/srvx') })
    .map(({ kind, path }) => ({ kind, file: { path } })),
  fc.record({ kind: fc.constant('dns' as const), name: fc.constantFrom('db.internal', 'a.svc.cluster.local', 'API.example.com.', 'evil.test') })
    .map(({ kind, name }) => ({ kind, dns: { names: [name] } })),
  fc.record({ kind: fc.constant('connect' as const), address: fc.constantFrom('10.0.0.7', '10.0.0.8', 'fd00::1', '192.0.2.1'), port: fc.constantFrom(6379, 80, 443, 53, 8080), protocol: fc.constantFrom('tcp', 'udp') })
    .map(({ kind, address, port, protocol }) => ({ kind, network: { protocol, remoteAddress: address, remotePort: port } })),
  fc.record({ kind: fc.constant('syscall' as const), syscall: fc.constantFrom(...SYSCALL_NAMES, 'bpf') }).map(({ kind, syscall }) => ({ kind, syscall })),
).map((e) => ({ ...e, time: '2026-01-01T00:00:00.000Z', source: 'tenet' as const }) as RuntimeEvent);

test('a learner over the fast indexes judges every event as one over their plain twins, learning, active and after a relearn', () => {
  const T0 = Date.parse('2026-01-01T00:00:00Z');
  const step = fc.oneof(
    { weight: 8, arbitrary: fc.record({ do: fc.constant('event' as const), container: fc.constantFrom('a1', 'a2', 'b1'), event }) },
    { weight: 1, arbitrary: fc.record({ do: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 4000 }) }) },
    { weight: 1, arbitrary: fc.record({ do: fc.constant('relearn' as const), model: fc.constantFrom('sha256:a', 'sha256:b') }) },
  );
  fc.assert(fc.property(model('sha256:a'), model('sha256:b'), fc.array(step, { maxLength: 80, size: 'max' }), (a, b, steps) => {
    const learners = [new Learner({ windowSec: 5 }, 'fast'), new Learner({ windowSec: 5 }, 'plain')];
    let now = T0;
    for (const learner of learners) {
      learner.attach({ id: 'a1', imageId: 'sha256:a' }, now, a);
      learner.attach({ id: 'a2', imageId: 'sha256:a' }, now, a);
      learner.attach({ id: 'b1', imageId: 'sha256:b' }, now, b);
      learner.advance(now);
    }
    for (const s of steps) {
      if (s.do === 'advance') now += s.ms;
      const answers = learners.map((learner) => {
        if (s.do === 'event') return learner.observe(s.event, s.container, now);
        if (s.do === 'advance') return learner.advance(now).map((m) => m.id);
        learner.models.get(s.model)!.relearn(now);
        return undefined;
      });
      assert.deepEqual(answers[0], answers[1], JSON.stringify(s));
    }
    const snapshots = learners.map((l) => [...l.models.values()].map((m) => m.snapshot((ms) => new Date(ms).toISOString())));
    assert.deepEqual(snapshots[0], snapshots[1]);
    for (const learner of learners) learner.release();
    assert.equal(learners[0]!.indexes.used, 0, 'every slot given back');
  }), { numRuns: 200 });
});
