import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { nftablesRuleset } from '../../src/enforce/index.ts';
import { dropsOut } from '../../src/enforce/generators/index.ts';
import { emptyModel, type IntentModel, type RuntimeEvent } from '../../src/model/index.ts';

function model(): IntentModel {
  const m = emptyModel('sha256:abc');
  const src = [{ kind: 'learned' as const }];
  m.network.listen.push({ port: 80, protocol: 'tcp', sources: src }, { port: 8000, endPort: 8001, protocol: 'udp', sources: src });
  m.network.egress.push(
    { host: '10.0.0.7', port: 6379, protocol: 'tcp', sources: src },
    { host: 'fd00::1', port: 5432, protocol: 'tcp', sources: src },
    { host: '10.1.0.0/16', port: 9000, protocol: 'tcp', sources: src },
    { host: '*', port: 443, protocol: 'tcp', sources: src },
    { host: 'cache', port: 6380, protocol: 'tcp', sources: src },
    { host: 'db', port: 5433, protocol: 'tcp', sources: src },
  );
  return m;
}

test('the ruleset allows exactly the model: listen ports in, peers out (addresses, networks, any peer on a port), DNS, replies; the rest counted and dropped', () => {
  const { text, widened } = nftablesRuleset(model(), { resolved: new Map([['db', ['172.18.0.5']]]) });
  const elements = (set: string) => text.match(new RegExp(`set ${set} \\{[^}]*?elements = \\{ ([^}]*) \\}`))?.[1]?.split(', ') ?? [];
  assert.deepEqual(elements('listen'), ['tcp . 80', 'udp . 8000', 'udp . 8001']);
  assert.deepEqual(elements('egress4'), ['10.0.0.7 . tcp . 6379', '10.1.0.0/16 . tcp . 9000', '172.18.0.5 . tcp . 5433']);
  assert.deepEqual(elements('egress6'), ['fd00::1 . tcp . 5432']);
  assert.deepEqual(elements('any_peer'), ['tcp . 443', 'tcp . 6380'], 'a peer named with no known address: its port, said so');
  assert.deepEqual(widened, ['tcp/cache:6380']);
  assert.deepEqual(nftablesRuleset(model()).anyPeer, ['tcp/443', 'tcp/5433', 'tcp/6380']);
  assert.match(text, /# widened: tcp\/cache:6380 has no known address/);
  assert.match(text, /ct state established,related accept\n {4}oif lo accept/);
  assert.match(text, /th dport 53 accept/);
  assert.match(text, /counter name dropped_out drop\n {2}\}\n\}\n$/);
  const empty = nftablesRuleset(emptyModel('sha256:e'), { table: 'tenet_e' });
  assert.match(empty.text, /^table inet tenet_e \{/m);
  assert.doesNotMatch(empty.text, /elements/, 'an empty model allows nothing new, in or out');
});

test('a direction left out is not filtered', () => {
  const out = nftablesRuleset(model(), { directions: { in: false, out: true } }).text;
  assert.doesNotMatch(out, /chain input/);
  assert.match(out, /chain output/);
  assert.doesNotMatch(nftablesRuleset(model(), { directions: { in: true, out: false } }).text, /chain output/);
});

test('nft itself accepts the rulesets (checked, not applied)', (t) => {
  if (process.getuid?.() !== 0) return t.skip('not root: nft cannot check rulesets on this machine (not a lab)');
  for (const m of [model(), emptyModel('sha256:e')]) {
    for (const directions of [{ in: true, out: true }, { in: false, out: true }]) {
      execFileSync('nft', ['-c', '-f', '-'], { input: nftablesRuleset(m, { directions }).text, stdio: ['pipe', 'pipe', 'pipe'] });
    }
  }
});

test('a connection is said dropped only when the table drops it: DNS, loopback and ports open to any peer pass, whatever the model', () => {
  const ruleset = nftablesRuleset(model());
  const connect = (remoteAddress: string, remotePort: number, protocol: 'tcp' | 'udp' = 'tcp'): RuntimeEvent => ({ kind: 'connect', time: 't', source: 'tenet', network: { protocol, remoteAddress, remotePort } });
  assert.equal(dropsOut(ruleset, connect('10.0.0.9', 4444)), true);
  assert.equal(dropsOut(ruleset, connect('10.0.0.9', 53, 'udp')), false, 'a DNS query to any server passes the table');
  assert.equal(dropsOut(ruleset, connect('10.0.0.9', 53)), false);
  assert.equal(dropsOut(ruleset, connect('127.0.0.1', 4444)), false, 'loopback passes');
  assert.equal(dropsOut(ruleset, connect('::1', 4444)), false);
  assert.equal(dropsOut(ruleset, connect('10.0.0.9', 443)), false, 'a port open to any peer');
  assert.equal(dropsOut(nftablesRuleset(model(), { directions: { in: true, out: false } }), connect('10.0.0.9', 4444)), false, 'no output chain');
  assert.equal(dropsOut(ruleset, { ...connect('10.0.0.9', 4444), kind: 'accept' }), false, 'only a connection out');
});
