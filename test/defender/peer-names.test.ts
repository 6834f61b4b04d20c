import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { DnsResolver, PeerNames, type NameResolver, type Resolved } from '../../src/defender/index.ts';
import { parseResolvConf, type Host, type ResolverConf } from '../../src/runtime/index.ts';
import { TestDnsServer } from '../dns-server.ts';

const API = 'api.shop.svc.cluster.local';
const SEARCH = ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];

/** A host whose containers' resolv.conf is given by pid. */
const hostWith = (confs: Record<number, ResolverConf>): Host => ({
  exe: () => undefined, process: (pid) => ({ pid }), pids: () => [], listening: () => [], cgroupId: () => undefined, inUpperDir: () => false,
  resolver: (pid) => confs[pid],
});

/** A resolver whose answers the test gives, one question at a time. */
class Answers implements NameResolver {
  readonly asked: Array<{ servers: readonly string[]; name: string; answer: (r: Resolved) => void }> = [];
  resolve(servers: readonly string[], name: string): Promise<Resolved> {
    return new Promise((answer) => this.asked.push({ servers, name, answer }));
  }
  /** Answers every question under way with what `of` gives its name. */
  answerAll(of: (name: string) => Resolved): void {
    for (const q of this.asked.splice(0)) q.answer(of(q.name));
  }
  close(): void {}
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('resolv.conf is read as the C library reads it: three servers at most, the last search or domain line', () => {
  assert.deepEqual(parseResolvConf([
    '# written by the runtime', 'nameserver 10.96.0.10', 'search old.example', 'options ndots:5',
    'nameserver 10.96.0.11 ; a comment', 'nameserver 10.96.0.12', 'nameserver 10.96.0.13', `search ${SEARCH.join(' ')} EXAMPLE.org.`,
  ].join('\n')), { servers: ['10.96.0.10', '10.96.0.11', '10.96.0.12'], search: [...SEARCH, 'example.org'] });
  assert.deepEqual(parseResolvConf('domain corp.example\n'), { servers: [], search: ['corp.example'] });
  assert.deepEqual(parseResolvConf(''), { servers: [], search: [] });
});

test('a name a container asked names a connection to an address of its answer, with the shorter forms its search domains complete to it; nothing names another address', async () => {
  const answers = new Answers();
  const names = new PeerNames(answers, hostWith({ 7: { servers: ['10.96.0.10'], search: SEARCH } }));
  assert.equal(names.namesOf('c1', '10.96.7.7', 0), undefined, 'nothing asked: nothing to wait for');
  names.asked('c1', 7, `${API.toUpperCase()}.`, 0);
  assert.deepEqual(answers.asked.map((q) => [q.servers, q.name]), [[['10.96.0.10'], API]], 'asked through the container\'s own server');
  assert.equal(names.namesOf('c1', '10.96.7.7', 1), 'wait', 'an answer is under way');
  let settled = false;
  names.whenSettled('c1', () => (settled = true));
  answers.answerAll(() => ({ addresses: ['10.96.7.7'], ttlSec: 5 }));
  await tick();
  assert.ok(settled, 'called back once the answer came');
  assert.deepEqual(names.namesOf('c1', '10.96.7.7', 2), [API, 'api', 'api.shop', 'api.shop.svc']);
  assert.equal(names.namesOf('c1', '10.0.0.9', 3), undefined, 'another address: the name was resolved just now, nothing is asked again');
  assert.equal(answers.asked.length, 0);
  assert.equal(names.namesOf('c2', '10.96.7.7', 3), undefined, 'names are the asking container\'s');
  assert.deepEqual([...names.addresses('c1')], [[API, ['10.96.7.7']], ['api', ['10.96.7.7']], ['api.shop', ['10.96.7.7']], ['api.shop.svc', ['10.96.7.7']]]);
  assert.deepEqual(names.counts, { resolved: 1, failed: 0 });
});

test('a Service recreated: a connection to an address no name has asks the names again, waits, and is named by the new answer; the old address is named no more', async () => {
  const answers = new Answers();
  const names = new PeerNames(answers, hostWith({ 7: { servers: ['10.96.0.10'], search: SEARCH } }), { againMs: 2_000 });
  names.asked('c1', 7, API, 0);
  names.asked('c1', 7, 'example.com.shop.svc.cluster.local', 0);
  answers.answerAll((n) => (n === API ? { addresses: ['10.96.7.7'], ttlSec: 5 } : { addresses: [], ttlSec: 60 }));
  await tick();
  assert.equal(names.namesOf('c1', '10.96.8.8', 1_000), undefined, 'asked again only after againMs');
  assert.equal(names.namesOf('c1', '10.96.8.8', 5_000), 'wait');
  assert.deepEqual(answers.asked.map((q) => q.name), [API], 'a name that does not exist is not asked again so soon');
  answers.answerAll(() => ({ addresses: ['10.96.8.8'], ttlSec: 5 }));
  await tick();
  assert.deepEqual(names.namesOf('c1', '10.96.8.8', 5_001)?.[0], API);
  assert.equal(names.namesOf('c1', '10.96.7.7', 5_002), undefined, 'the old ClusterIP is no longer the name\'s');
});

test('servers that did not answer keep what was known; a container whose DNS servers the defender cannot reach (Docker\'s own, on loopback) resolves nothing', async () => {
  const answers = new Answers();
  const names = new PeerNames(answers, hostWith({ 7: { servers: ['10.96.0.10'], search: [] }, 8: { servers: ['127.0.0.11'], search: [] } }), { againMs: 10 });
  names.asked('c1', 7, API, 0);
  answers.answerAll(() => ({ addresses: ['10.96.7.7'], ttlSec: 5 }));
  await tick();
  assert.equal(names.namesOf('c1', '10.96.9.9', 100), 'wait');
  answers.answerAll(() => ({ addresses: [], ttlSec: 0, failed: true }));
  await tick();
  assert.deepEqual(names.namesOf('c1', '10.96.7.7', 101), [API], 'kept');
  assert.deepEqual(names.counts, { resolved: 1, failed: 1 });
  names.asked('c2', 8, API, 0);
  names.asked('c3', 9, API, 0);
  assert.equal(answers.asked.length, 0, 'loopback servers and no resolv.conf: nothing asked');
  assert.equal(names.namesOf('c2', '10.96.7.7', 1), undefined);
  const none = new PeerNames(undefined, hostWith({ 7: { servers: ['10.96.0.10'], search: [] } }));
  none.asked('c1', 7, API, 0);
  assert.equal(none.namesOf('c1', '10.96.7.7', 1), undefined, 'no resolver (--no-peer-names): nothing named');
});

test('names are bounded per container; a container forgotten, or the names closed, calls back whatever waited', async () => {
  const answers = new Answers();
  const names = new PeerNames(answers, hostWith({ 7: { servers: ['10.96.0.10'], search: [] } }), { maxNames: 3 });
  for (let i = 0; i < 5; i++) names.asked('c1', 7, `n${i}.example`, 0);
  answers.answerAll((n) => ({ addresses: [`10.0.0.${n.slice(1, 2)}`], ttlSec: 5 }));
  await tick();
  assert.equal(names.namesOf('c1', '10.0.0.0', 1, false), undefined, 'the first names asked were forgotten');
  assert.deepEqual(names.namesOf('c1', '10.0.0.4', 1), ['n4.example']);
  names.asked('c1', 7, 'late.example', 10_000);
  let called = 0;
  names.whenSettled('c1', () => called++);
  names.forget('c1');
  assert.equal(called, 1);
  names.asked('c2', 7, 'other.example', 0);
  names.whenSettled('c2', () => called++);
  names.close();
  assert.equal(called, 2);
  names.asked('c2', 7, 'after.example', 20_000);
  assert.equal(answers.asked.length, 2, 'nothing asked once closed');
});

const dns = await TestDnsServer.start('127.0.0.1');
after(() => dns.close());

test('the real resolver asks a DNS server for A and AAAA, with the answer\'s TTL; a name that does not exist has no address; a server that does not answer is a failure', async () => {
  dns.set(API, ['10.96.7.7', 'fd00::7']);
  const resolver = new DnsResolver(300);
  try {
    const server = `127.0.0.1:${dns.port}`;
    assert.deepEqual(await resolver.resolve([server], API), { addresses: ['10.96.7.7', 'fd00::7'], ttlSec: dns.ttl });
    assert.deepEqual(await resolver.resolve([server], 'nothing.shop.svc.cluster.local'), { addresses: [], ttlSec: 60 });
    assert.deepEqual(dns.questions.filter((q) => q === API).length, 2, 'A and AAAA');
    const silent = await TestDnsServer.start('127.0.0.1');
    const port = silent.port;
    await silent.close();
    assert.deepEqual(await resolver.resolve([`127.0.0.1:${port}`], API), { addresses: [], ttlSec: 0, failed: true });
  } finally {
    resolver.close();
  }
});
