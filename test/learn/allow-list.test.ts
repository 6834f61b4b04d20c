import assert from 'node:assert/strict';
import test from 'node:test';
import { AllowList } from '../../src/learn/allow-list.ts';
import { MapEntryIndex, RowEntryIndex } from '../../src/learn/entry-index.ts';
import { InlineFolderIndex, MapFolderIndex } from '../../src/learn/folder-index.ts';
import { LearnIndexes } from '../../src/learn/indexes.ts';

/** Lists of models that share one learner's indexes, each under a slot of its own. */
function sharing(indexes = new LearnIndexes()) {
  return { indexes, list: (dimension: ConstructorParameters<typeof AllowList>[0], entries: string[]) => new AllowList(dimension, entries, { indexes, slot: indexes.allocate() }) };
}

test('paths: exact entries, folder patterns found from any depth below, the root pattern, and a path ending in a slash kept apart', () => {
  const list = new AllowList('writable', ['/var/log/nginx/*', '/etc/nginx/nginx.conf', '/data/']);
  assert.ok(list.has('/var/log/nginx/*'));
  assert.ok(list.has('/etc/nginx/nginx.conf'));
  assert.ok(!list.has('/var/log/nginx/'), 'a folder pattern is not the folder itself');
  assert.ok(list.has('/data/'));
  assert.ok(!list.has('/data/*'));
  assert.equal(list.cover('/var/log/nginx/access.log'), '/var/log/nginx/*');
  assert.equal(list.cover('/var/log/nginx/old/access.log.1'), '/var/log/nginx/*');
  assert.equal(list.cover('/var/log/other.log'), undefined);
  assert.equal(list.cover('/data/x'), undefined, 'an exact /data/ is no pattern');
  list.add('/*');
  assert.equal(list.cover('/anything/at/all'), '/*');
  list.delete('/*');
  list.delete('/var/log/nginx/*');
  assert.equal(list.cover('/var/log/nginx/access.log'), undefined);
  assert.ok(list.has('/data/'));
});

test('processes: a program allowed by name covers it in any folder', () => {
  const list = new AllowList('processes', ['nginx', '/usr/bin/sh']);
  assert.equal(list.cover('/usr/sbin/nginx'), 'nginx');
  assert.equal(list.cover('/usr/sbin/nginx-debug'), undefined);
  assert.equal(list.cover('/usr/bin/bash'), undefined);
  list.delete('nginx');
  assert.equal(list.cover('/usr/sbin/nginx'), undefined);
});

test('DNS: `*.suffix` covers every name below it, not the suffix itself', () => {
  const list = new AllowList('dns', ['*.svc.cluster.local', 'example.com']);
  assert.equal(list.cover('redis.default.svc.cluster.local'), '*.svc.cluster.local');
  assert.equal(list.cover('svc.cluster.local'), undefined);
  assert.ok(list.has('example.com'));
  assert.equal(list.cover('www.example.com'), undefined);
});

test('egress: entries and any-peer ports, by entry and by connection (IPv4, IPv6, protocols)', () => {
  const list = new AllowList('egress', ['tcp/10.0.0.7:6379', 'udp/fd00::1:53', 'tcp/*:443']);
  assert.ok(list.has('tcp/10.0.0.7:6379'));
  assert.equal(list.cover('tcp/203.0.113.9:443'), 'tcp/*:443');
  assert.equal(list.cover('udp/203.0.113.9:443'), undefined);
  assert.ok(list.allowsPeer('tcp', '10.0.0.7', 6379));
  assert.ok(list.allowsPeer(undefined, '10.0.0.7', 6379), 'no protocol is TCP');
  assert.ok(!list.allowsPeer('udp', '10.0.0.7', 6379));
  assert.ok(list.allowsPeer('udp', 'fd00::1', 53));
  assert.ok(list.allowsPeer('tcp', '198.51.100.1', 443));
  list.delete('tcp/*:443');
  assert.ok(!list.allowsPeer('tcp', '198.51.100.1', 443));
  list.add('tcp/10.0.0.7:6380');
  list.delete('tcp/10.0.0.7:6379');
  assert.ok(!list.allowsPeer('tcp', '10.0.0.7', 6379));
  assert.ok(list.allowsPeer('tcp', '10.0.0.7', 6380));
  list.clear();
  assert.ok(!list.allowsPeer('tcp', '10.0.0.7', 6380));

  // two models' lists share the peer index: each its own ports, one's changes not the other's
  const { list: shared } = sharing();
  const a = shared('egress', ['tcp/10.0.0.9:5432', 'tcp/*:443']);
  const b = shared('egress', ['tcp/10.0.0.9:6379']);
  assert.ok(a.allowsPeer('tcp', '10.0.0.9', 5432) && !a.allowsPeer('tcp', '10.0.0.9', 6379));
  assert.ok(b.allowsPeer('tcp', '10.0.0.9', 6379) && !b.allowsPeer('tcp', '10.0.0.9', 5432) && !b.allowsPeer('tcp', '10.0.0.9', 443));
  a.clear();
  assert.ok(!a.allowsPeer('tcp', '10.0.0.9', 5432) && !a.allowsPeer('tcp', '1.2.3.4', 443) && b.allowsPeer('tcp', '10.0.0.9', 6379));
  assert.ok(!new AllowList('dns', ['db.internal']).allowsPeer('tcp', '10.0.0.9', 6379), 'only an egress list allows peers');
});

test('syscalls: known names as bits, other names (another architecture) by name', () => {
  const { indexes, list: shared } = sharing();
  const list = shared('syscalls', ['read', 'openat', 'arm_fadvise64_64']);
  assert.ok(list.has('read'));
  assert.ok(list.has('openat'));
  assert.ok(!list.has('write'));
  assert.ok(list.has('arm_fadvise64_64'));
  assert.ok(indexes.syscalls.has(list.slot!, 0), 'read is syscall 0, in the shared index');
  assert.ok(!shared('syscalls', ['write']).has('read'), 'another list has its own bits');
  list.delete('read');
  assert.ok(!list.has('read'));
  list.add('read');
  list.add('read');
  list.delete('read');
  assert.ok(!list.has('read'), 'adding twice is adding once');
  list.clear();
  assert.ok(!list.has('openat') && !list.has('arm_fadvise64_64'));
});

test('the most specific pattern covers, whether a few patterns are tried in turn or many are looked up by folder', () => {
  for (const extra of [0, 20]) {
    const list = new AllowList('writable', ['/var/*', '/var/log/*', ...Array.from({ length: extra }, (_, i) => `/srv/app${i}/*`)]);
    assert.equal(list.cover('/var/log/nginx/access.log'), '/var/log/*', `${extra} more patterns`);
    assert.equal(list.cover('/var/lib/x'), '/var/*');
    assert.equal(list.cover('/srv/app7/cache/x'), extra > 0 ? '/srv/app7/*' : undefined);
    assert.equal(list.cover('/variable'), undefined, 'a folder pattern stops at its folder');
    list.delete('/var/log/*');
    assert.equal(list.cover('/var/log/nginx/access.log'), '/var/*');
    const dns = new AllowList('dns', ['*.example.com', '*.eu.example.com', ...Array.from({ length: extra }, (_, i) => `*.s${i}.internal`)]);
    assert.equal(dns.cover('a.eu.example.com'), '*.eu.example.com');
    assert.equal(dns.cover('a.us.example.com'), '*.example.com');
    assert.equal(dns.cover('badexample.com'), undefined);
    assert.equal(dns.cover('x.s3.internal'), extra > 0 ? '*.s3.internal' : undefined);
  }
});

test('a path is covered the same by a writable list and by the shared folder index, which holds a list\'s patterns while it has three at most', () => {
  const patterns = ['/var/log/nginx/*', '/tmp/*', '/run/*', '/var/cache/*', '/data/*'];
  const paths = ['/tmp/x', '/tmpx', '/run/nginx.pid', '/var/log/nginx/a.log', '/var/log/other', '/var/cache/x/y', '/data/z', '/etc/passwd', '/'];
  const { indexes, list: shared } = sharing();
  const WRITABLE = indexes.writable;
  const other = shared('writable', ['/srv/*']);
  for (let n = 0; n <= patterns.length; n++) {
    const list = shared('writable', patterns.slice(0, n));
    const check = (count: number, what: string) => {
      const kept = patterns.slice(0, n).filter((p) => p !== '/tmp/*' || count === n);
      for (const path of paths) {
        const covered = list.cover(path) !== undefined;
        assert.equal(covered, kept.some((p) => path.startsWith(p.slice(0, -1))), `${what}, ${path}`);
        assert.equal(WRITABLE.covers(list.slot!, path), count <= 3 && covered, `${what}, ${path} in the shared index`);
      }
    };
    check(n, `${n} patterns`);
    list.delete('/tmp/*');
    check(n >= 2 ? n - 1 : n, `${n} patterns less /tmp/*`);
    assert.ok(list.cover('/tmp/x') === undefined && !WRITABLE.covers(list.slot!, '/tmp/x'));
    list.clear();
    assert.ok(list.cover('/run/x') === undefined && !WRITABLE.covers(list.slot!, '/run/x'), 'a cleared list covers nothing');
  }
  for (const folders of [new InlineFolderIndex(), new MapFolderIndex()]) {
    folders.set(5, ['/var/log/', '/run/']);
    assert.ok(folders.covers(5, '/run/x') && !folders.covers(4, '/run/x') && !folders.covers(6, '/run/x') && !folders.covers(900, '/run/x'));
    folders.release(5);
    assert.ok(!folders.covers(5, '/run/x') && !folders.covers(5, '/var/log/a'), 'a released slot has no folders');
  }
  assert.ok(WRITABLE.covers(other.slot!, '/srv/a') && !WRITABLE.covers(other.slot!, '/tmp/x'), 'another list keeps its own');
  const programs = new AllowList('processes', ['/usr/bin/*', 'nginx']);
  assert.equal(programs.cover('/usr/sbin/nginx'), 'nginx', 'a program allowed by name, beside a folder pattern');
});

test('the entry index: one slot, a few or a row of them per entry, each slot its own, a released slot out of every entry', () => {
  for (const index of [new RowEntryIndex(), new MapEntryIndex()]) entryIndexHolds(index);
});

function entryIndexHolds(index: RowEntryIndex | MapEntryIndex): void {
  const holders = [3, 700, 40, 41, 5, 64, 65, 900, 1, 2, 4100, 31];
  for (let n = 1; n <= holders.length; n++) {
    index.add('/usr/bin/sh', holders[n - 1]!);
    index.add('/usr/bin/sh', holders[0]!);
    const held = holders.slice(0, n);
    for (const slot of [0, 1, 2, 3, 4, 5, 6, 30, 31, 32, 39, 40, 41, 42, 63, 64, 65, 66, 699, 700, 701, 900, 4099, 4100, 5000]) {
      assert.equal(index.holds('/usr/bin/sh', slot), held.includes(slot), `${n} holders, slot ${slot}`);
    }
  }
  assert.ok(!index.holds('/bin/ls', 3));
  // from one holder to a list to a row, each holder added once: none is lost on the way
  const shared = index instanceof RowEntryIndex ? new RowEntryIndex() : new MapEntryIndex();
  for (let n = 0; n < 12; n++) {
    shared.add('/bin/busybox', n * 37);
    for (let m = 0; m < 12; m++) assert.equal(shared.holds('/bin/busybox', m * 37), m <= n, `${n + 1} holders, slot ${m * 37}`);
  }
  for (const slot of [40, 4100, 3]) index.delete('/usr/bin/sh', slot);
  assert.ok(!index.holds('/usr/bin/sh', 40) && !index.holds('/usr/bin/sh', 3) && index.holds('/usr/bin/sh', 700) && index.holds('/usr/bin/sh', 31));
  index.add('/bin/ls', 700);
  index.add('/bin/ls', 9);
  index.add('/bin/cat', 700);
  index.release(700);
  assert.ok(!index.holds('/usr/bin/sh', 700) && !index.holds('/bin/ls', 700) && !index.holds('/bin/cat', 700) && index.holds('/usr/bin/sh', 900) && index.holds('/bin/ls', 9));
  assert.equal(index.size, 2, '/bin/cat, held by 700 alone, is gone');
  for (const slot of holders) index.delete('/usr/bin/sh', slot);
  index.delete('/bin/ls', 9);
  assert.equal(index.size, 0, 'an entry no model holds any more is gone, row and all');
}

test('lists keep their exact entries in the entry index, under their slot; patterns stay theirs', () => {
  const { indexes, list: shared } = sharing();
  const { programs: PROGRAMS, dnsNames: DNS_NAMES } = indexes;
  const a = shared('processes', ['/usr/sbin/nginx', '/usr/bin/*']);
  const b = shared('processes', ['/usr/sbin/nginx']);
  assert.ok(PROGRAMS.holds('/usr/sbin/nginx', a.slot!) && PROGRAMS.holds('/usr/sbin/nginx', b.slot!));
  assert.ok(!PROGRAMS.holds('/usr/bin/*', a.slot!) && !PROGRAMS.holds('/usr/bin/env', a.slot!), 'what a pattern covers is the list\'s to say');
  a.delete('/usr/sbin/nginx');
  assert.ok(!PROGRAMS.holds('/usr/sbin/nginx', a.slot!) && PROGRAMS.holds('/usr/sbin/nginx', b.slot!), 'one list\'s delete leaves the other\'s');
  b.clear();
  assert.ok(!PROGRAMS.holds('/usr/sbin/nginx', b.slot!), 'a cleared list holds nothing');
  const names = shared('dns', ['db.internal', '*.cache.internal']);
  assert.ok(DNS_NAMES.holds('db.internal', names.slot!) && !DNS_NAMES.holds('a.cache.internal', names.slot!));
});

test('slots: each its own bits, a released slot comes back empty in every index and not enforced, and growing keeps every bit', () => {
  for (const kind of ['fast', 'plain'] as const) {
    const indexes = new LearnIndexes(kind);
    const index = indexes.syscalls;
    const slots = Array.from({ length: 100 }, () => indexes.allocate());
    assert.equal(new Set(slots).size, 100, 'distinct slots, past the first capacity');
    for (const slot of slots) index.set(slot, slot % 7, true);
    for (const slot of slots) {
      for (let syscall = 0; syscall < 7; syscall++) assert.equal(index.has(slot, syscall), syscall === slot % 7, `${kind}: slot ${slot}, syscall ${syscall}`);
    }
    index.set(slots[3]!, 449, true);
    indexes.programs.add('/bin/sh', slots[3]!);
    indexes.writable.set(slots[3]!, ['/tmp/']);
    indexes.peers.add(80, '10.0.0.1', slots[3]!);
    indexes.release(slots[3]!);
    assert.equal(indexes.used, 99);
    const again = indexes.allocate();
    assert.equal(again, slots[3], 'a released slot is used again');
    assert.ok(!index.has(again, 449) && !index.has(again, 3), 'and comes back with no syscall');
    assert.ok(!indexes.programs.holds('/bin/sh', again) && !indexes.writable.covers(again, '/tmp/x') && !indexes.peers.allows('tcp', '10.0.0.1', 80, again), 'nor anything else');
    assert.ok(index.has(slots[4]!, 4), 'its neighbours keep theirs');

    index.set(again, 0, true);
    assert.ok(!index.enforced(again), 'a new list is not enforced');
    index.enforce(again, true);
    assert.ok(index.enforced(again) && !index.enforced(slots[4]!) && index.has(again, 0));
    index.clear(again);
    index.set(again, 0, true);
    assert.ok(index.enforced(again), 'clearing its syscalls keeps a list enforced');
    indexes.release(again);
    index.set(indexes.allocate(), 0, true);
    assert.ok(!index.enforced(again), 'a released slot comes back not enforced');
  }
});
