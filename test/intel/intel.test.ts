import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { IntelIndex, ipv4Value, parseFeed, type Indicator } from '../../src/intel/index.ts';

const ROOT = fileURLToPath(new URL('../../../shared/fixtures/threat-intel/', import.meta.url));
const feeds = readdirSync(ROOT).flatMap((dir) => readdirSync(ROOT + dir).map((file) => ({ path: `${dir}/${file}`, file, text: readFileSync(`${ROOT}${dir}/${file}`, 'utf8') })));

test('every threat-intel fixture loads or is rejected with a reason, in the format its content says', () => {
  const formats: Record<string, string> = {};
  const rejected: Record<string, string> = {};
  for (const { path, file, text } of feeds) {
    const parsed = parseFeed(text, file);
    if ('rejected' in parsed) rejected[path] = parsed.rejected;
    else formats[path] = `${parsed.format} ${parsed.indicators.length}`;
  }
  assert.ok(feeds.length >= 23);
  assert.deepEqual(rejected, { 'stix2/sco-examples-array.json': 'STIX observables (19 addresses and names) without an indicator or infrastructure saying they are malicious' });
  assert.equal(formats['abusech/feodotracker-ipblocklist.csv'], 'feodo-csv 28');
  assert.equal(formats['firehol/spamhaus_drop.netset'], 'firehol 926');
  assert.equal(formats['firehol/feodo-empty.ipset'], 'firehol 0', 'an empty feed is a feed');
  assert.equal(formats['ipsum/ipsum.txt'], 'ipsum 1993');
  assert.equal(formats['stix2/threat-report-apt1.json'], 'stix2 7', 'networks and domains; file hashes and certificates left out');
  assert.equal(formats['other/cobaltstrike_ips.txt'], 'list 771', 'repeated lines once');
});

const all = (): Indicator[] => feeds.flatMap(({ file, text }) => {
  const parsed = parseFeed(text, file);
  return 'rejected' in parsed ? [] : parsed.indicators;
});

test('lookups give every feed that lists an address, a network around it, or a parent domain, with its provenance', () => {
  const index = new IntelIndex(all());
  assert.deepEqual(index.lookup('192.9.135.73'), [{
    feed: 'feodotracker-ipblocklist.csv', format: 'feodo-csv', category: 'botnet c2', malware: 'Pikabot', ports: [1194],
    firstSeen: '2023-05-23T17:51:44.000Z', lastSeen: '2024-04-01T00:00:00.000Z',
  }]);
  assert.deepEqual(index.lookup('1.10.16.5').map((p) => `${p.feed} ${p.maintainer} ${p.category}`), [
    'et_block.netset Emerging Threats attacks', 'firehol_level1.netset FireHOL attacks', 'spamhaus_drop.netset Spamhaus.org reputation',
  ]);
  assert.deepEqual(index.lookup('77.90.185.20').find((p) => p.feed === 'ipsum.txt'), { feed: 'ipsum.txt', format: 'ipsum', score: 10 });
  assert.deepEqual(index.lookup('www.hugesoft.org').map((p) => p.reference), ['indicator--3f3ff9f1-bb4e-4392-89e5-1991179042ba (FQDN hugesoft.org)']);
  assert.deepEqual(index.lookup('223.167.255.255').map((p) => p.feed), ['threat-report-apt1.json'], 'inside 223.166.0.0/15');
  assert.deepEqual(index.lookup('223.168.0.0'), [], 'just outside it');
  assert.deepEqual(index.lookup('198.51.100.3').map((p) => p.category), ['command-and-control'], 'STIX infrastructure consisting of the address');
  assert.deepEqual(index.lookup('8.8.8.8'), []);
  assert.deepEqual(index.lookup('nothing.invalid'), []);
});

test('the other common formats: Spamhaus DROP, a CSV with category/score/ports, IPv6, plain domain lists; garbage is a reason', () => {
  const drop = parseFeed('; Spamhaus DROP List 2024/04/01\n1.10.16.0/20 ; SBL256894\n2.56.192.0/22 ; SBL459831\n', 'drop.txt');
  assert.ok(!('rejected' in drop));
  assert.deepEqual(drop.indicators.map((i) => [i.kind, i.value, i.provenance.format, i.provenance.reference]), [
    ['cidr', '1.10.16.0/20', 'spamhaus-drop', 'SBL256894'], ['cidr', '2.56.192.0/22', 'spamhaus-drop', 'SBL459831'],
  ]);
  const csv = parseFeed('ip,category,score,first_seen,last_seen,ports\n203.0.113.7,c2,90,2026-01-02,2026-03-04,4444;8443\n2001:DB8::7,scanner,40,,,\nnot-an-ip,x,1,,,\n', 'mine.csv');
  assert.ok(!('rejected' in csv));
  assert.deepEqual(csv.indicators.map((i) => [i.value, i.provenance.category, i.provenance.score, i.provenance.ports, i.provenance.firstSeen]), [
    ['203.0.113.7', 'c2', 90, [4444, 8443], '2026-01-02T00:00:00.000Z'], ['2001:db8::7', 'scanner', 40, undefined, undefined],
  ]);
  assert.equal(csv.skipped, 1);
  const domains = parseFeed('# pools\npool.minexmr.example\n2001:db8:dead::/48\n', 'pools.txt');
  assert.ok(!('rejected' in domains));
  const index = new IntelIndex([...csv.indicators, ...domains.indicators]);
  assert.deepEqual(index.lookup('eu.pool.minexmr.example').map((p) => p.feed), ['pools.txt']);
  assert.deepEqual(index.lookup('2001:db8:dead:beef::1').map((p) => p.feed), ['pools.txt']);
  assert.deepEqual(index.lookup('[2001:db8:0:0:0:0:0:7]').map((p) => p.category), ['scanner']);
  for (const [text, reason] of [['\0\0\x01', 'a binary file, not a feed'], ['{"objects": 3', /^not valid JSON/], ['hello world\nfoo bar\n', 'no address, network or domain on any of its 2 lines'], ['{"type":"bundle"}', 'a STIX document without objects']] as const) {
    const parsed = parseFeed(text, 'x');
    assert.ok('rejected' in parsed);
    if (typeof reason === 'string') assert.equal(parsed.rejected, reason);
    else assert.match(parsed.rejected, reason);
  }
});

/** The feeds of the blocks that hold `n`, by a plain scan. */
function scan(blocks: ReadonlyArray<{ start: number; end: number; feed: string }>, n: number): string[] {
  return blocks.filter((b) => b.start <= n && n <= b.end).map((b) => b.feed).sort();
}
const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const indexOf = (blocks: ReadonlyArray<{ start: number; end: number; feed: string }>) =>
  new IntelIndex(blocks.map((b) => ({ kind: 'cidr', value: `${dotted(b.start)}/${32 - Math.log2(b.end - b.start + 1)}`, provenance: { feed: b.feed, format: 'list' } })));

test('IPv4 lookups agree with a plain scan of every block, at random and at every edge of blocks and of aligned ranges', () => {
  let seed = 7;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const blocks: Array<{ start: number; end: number; feed: string }> = [];
  for (let i = 0; i < 3000; i++) {
    // prefixes from /8 to /32, many about the size of the lookup's buckets, so that buckets are held whole, cut, or left empty
    const bits = [8, 12, 14, 15, 16, 17, 18, 19, 20, 21, 24, 28, 32][Math.floor(random() * 13)]!;
    const size = 2 ** (32 - bits);
    const start = Math.floor((random() * 2 ** 32) / size) * size;
    blocks.push({ start, end: start + size - 1, feed: `f${i}` });
    // and single addresses at the first, the last and the last but one address of an aligned range
    const align = 2 ** (8 + (i % 17));
    const edge = Math.floor(random() * (2 ** 32 / align)) * align + [0, align - 1, align - 2][i % 3]!;
    blocks.push({ start: edge, end: edge, feed: `e${i}` });
  }
  // a run of neighbours, so that one bucket holds many cuts
  for (let i = 0; i < 300; i++) blocks.push({ start: 0x0a000000 + 2 * i, end: 0x0a000000 + 2 * i, feed: `r${i}` });
  const index = indexOf(blocks);
  const queries = Array.from({ length: 5000 }, () => Math.floor(random() * 2 ** 32));
  for (const b of blocks) {
    for (const n of [b.start - 1, b.start, b.end, b.end + 1]) {
      queries.push(n);
      // the first and last address of every aligned range around n: wherever a bucket begins and ends
      for (let bits = 8; bits <= 24; bits++) {
        const size = 2 ** bits;
        queries.push(Math.floor(n / size) * size, Math.floor(n / size) * size + size - 1);
      }
    }
  }
  for (const n of queries.filter((q) => q >= 0 && q < 2 ** 32)) {
    assert.deepEqual(index.lookup(dotted(n)).map((p) => p.feed).sort(), scan(blocks, n), dotted(n));
  }
});

test('IPv4 lookups in an index of no block, one address, the whole space, and its first and last address', () => {
  const cases: Array<Array<{ start: number; end: number; feed: string }>> = [
    [],
    [{ start: 0x01020304, end: 0x01020304, feed: 'one' }],
    [{ start: 0, end: 2 ** 32 - 1, feed: 'all' }],
    [{ start: 0, end: 0, feed: 'first' }, { start: 2 ** 32 - 1, end: 2 ** 32 - 1, feed: 'last' }],
  ];
  for (const blocks of cases) {
    const index = indexOf(blocks);
    for (const n of [0, 1, 0x01020303, 0x01020304, 0x01020305, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1]) {
      assert.deepEqual(index.lookup(dotted(n)).map((p) => p.feed), scan(blocks, n), `${dotted(n)} among ${blocks.map((b) => b.feed).join(', ') || 'none'}`);
    }
  }
});

test('an IPv4 address is four octets of 0–255 without leading zeros; spaces and brackets around a looked-up value are dropped', () => {
  assert.equal(ipv4Value('0.0.0.0'), 0);
  assert.equal(ipv4Value('255.255.255.255'), 2 ** 32 - 1);
  assert.equal(ipv4Value('10.1.2.3'), 0x0a010203);
  for (const text of ['01.2.3.4', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '', '.1.2.3', '1.2.3.4 ', '1.2.3.a', '1234.1.1.1', '1.2.3.4.']) {
    assert.equal(ipv4Value(text), -1, JSON.stringify(text));
  }
  const index = new IntelIndex([{ kind: 'cidr', value: '10.0.0.0/8', provenance: { feed: 'private', format: 'list' } }]);
  for (const value of ['10.1.2.3', ' 10.1.2.3 ', '[10.1.2.3]']) assert.deepEqual(index.lookup(value).map((p) => p.feed), ['private'], JSON.stringify(value));
  assert.deepEqual(index.lookup('010.1.2.3'), [], 'not an address');
});
