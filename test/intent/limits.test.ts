// Input built to exhaust a reader — nesting, document counts, alias and merge
// bombs, sizes — ends with a finding for its file and the full result for the
// others, in bounded memory; no internal error reaches the user.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { analyze, READ_LIMITS, type InputFile } from '../../src/intent/index.ts';
import { Analysis } from '../../src/model/index.ts';
import { BIN } from '../run-cli.ts';

const encoder = new TextEncoder();
const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n';
const ok: InputFile = { path: 'ok.yaml', content: encoder.encode(POD) };
const file = (path: string, text: string): InputFile => ({ path, content: encoder.encode(text) });

/** The analysis of a hostile file beside a good one: the hostile one's findings, and the good one analysed in full. */
function beside(hostile: InputFile): { codes: string[]; messages: string[] } {
  // files of any size: what is tested is what is in them
  const result = analyze([hostile, ok], { maxFileSize: 1 << 30 });
  assert.ok(Analysis.safeParse(result).success);
  assert.ok(result.models.some((m) => m.id === 'k8s:default/Pod/ok/web' && m.processes.length === 0 && m.image === 'nginx:1.27'), 'the other file is analysed');
  const own = result.findings.filter((f) => f.location.file === hostile.path);
  for (const f of own) assert.ok(f.location.line >= 1, JSON.stringify(f));
  return { codes: own.map((f) => f.code), messages: own.map((f) => f.message) };
}

test('nesting 100,000 levels deep, in JSON and in YAML (block and flow): one finding that says so, the rest of the run intact', () => {
  const depth = 100_000;
  for (const [name, text] of [
    ['arrays.json', '['.repeat(depth) + ']'.repeat(depth)],
    ['objects.json', '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)],
    ['flow.yaml', '['.repeat(depth) + ']'.repeat(depth)],
    ['block.yaml', Array.from({ length: 3_000 }, (_, i) => `${' '.repeat(i)}- \n`).join('')],
    ['just-over.json', '['.repeat(READ_LIMITS.depth + 1) + ']'.repeat(READ_LIMITS.depth + 1)],
  ] as const) {
    const { codes, messages } = beside(file(name, text));
    assert.deepEqual(codes, ['TN024'], name);
    assert.match(messages[0]!, /nested (too )?deep(er)? .*256 levels/, name);
  }
  // as deep as the limit is read
  assert.deepEqual(beside(file('at-limit.json', '['.repeat(READ_LIMITS.depth - 1) + ']'.repeat(READ_LIMITS.depth - 1))).codes.filter((c) => c === 'TN024'), []);
});

test('a YAML stream of 200,000 documents: the first 10,000 analysed, a finding at the first one past them', () => {
  const docs = Array.from({ length: 200_000 }, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\nspec:\n  containers:\n  - name: a\n    image: nginx\n`);
  const { codes, messages } = beside(file('many.yaml', docs.join('---\n')));
  assert.equal(codes.filter((c) => c === 'TN024').length, 1);
  assert.match(messages.find((m) => m.startsWith('more than'))!, /more than 10,000 YAML documents/);
  // two findings a pod (no tag, …): 20,000 of them, none lost, nothing overflowed
  assert.ok(codes.length > 20_000, String(codes.length));
});

test('alias bombs, merge-key bombs and an alias inside itself are measured by what they would expand to, without expanding them; many real merges are fine', () => {
  let laughs = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < 10; i++) laughs += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
  let merges = 'm0: &m0 {k0: v, k1: v, k2: v, k3: v, k4: v, k5: v, k6: v, k7: v, k8: v, k9: v}\n';
  for (let i = 1; i < 8; i++) merges += `m${i}: &m${i}\n${Array.from({ length: 10 }, (_, j) => `  k${j}: *m${i - 1}`).join('\n')}\n`;
  merges += 'all:\n  <<: *m7\n';
  for (const [name, text, why] of [
    ['laughs.yaml', laughs, /expand to more than 1,000,000 values/],
    ['merges.yaml', merges, /expand to more than 1,000,000 values/],
    ['self.yaml', 'a: &a\n  b: *a\n', /refers to the value it is in/],
  ] as const) {
    const { codes, messages } = beside(file(name, text));
    assert.deepEqual(codes, ['TN024'], name);
    assert.match(messages[0]!, why, name);
  }
  // a Compose file with 150 `<<: *defaults`, as real ones have
  let compose = 'x-defaults: &defaults\n  restart: always\n  environment:\n    LOG: info\nservices:\n';
  for (let i = 0; i < 150; i++) compose += `  s${i}:\n    <<: *defaults\n    image: nginx:1.27\n`;
  const result = analyze([file('compose.yaml', compose)]);
  assert.equal(result.models.length, 150);
  assert.deepEqual(result.findings.filter((f) => f.code.startsWith('TN0') && f.code !== 'TN012'), []);
});

test('random nesting, document counts and aliases never throw: a finding for what is beyond the limits, everything else analysed', () => {
  const nested = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.constant('x'), fc.integer(), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('a', 'b', 'image', 'spec'), tie('value'), { maxKeys: 3 })),
  })).value;
  fc.assert(fc.property(fc.integer({ min: 1, max: 600 }), nested, fc.boolean(), fc.integer({ min: 1, max: 30 }), (depth, inner, asJson, count) => {
    let value: unknown = inner;
    for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { spec: value };
    const text = asJson ? JSON.stringify(value) : Array.from({ length: count }, () => JSON.stringify(value)).join('\n---\n');
    const { codes } = beside(file(asJson ? 'n.json' : 'n.yaml', text));
    for (const c of codes) assert.match(c, /^TN0|^TN1/);
  }), { numRuns: 60 });
});

const dir = mkdtempSync(join(tmpdir(), 'tenet-limits-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the command: --max-file-size is honoured above the default, and the worst case runs in bounded memory (its peak printed)', (t) => {
  const big = join(dir, 'big.yaml');
  // 12 MiB: over the default 10 MiB, under a limit of 20 MiB
  writeFileSync(big, `${POD}${'# padding\n'.repeat(1_258_292)}`);
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'analyze', ...args, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const refused = run(big);
  assert.equal(refused.status, 2);
  assert.match(refused.stdout, /"code": "TN002"/);
  const read = run(big, '--max-file-size', String(20 * 1024 * 1024));
  assert.equal(read.status, 0, read.stderr);
  assert.match(read.stdout, /k8s:default\/Pod\/ok\/web/);

  // the worst case of the tests above, through the command: 200,000 documents
  const many = join(dir, 'many.yaml');
  writeFileSync(many, Array.from({ length: 200_000 }, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\nspec:\n  containers:\n  - name: a\n    image: nginx\n`).join('---\n'));
  const measured = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, BIN, 'analyze', many, '--max-file-size', String(1 << 30), '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  assert.match(measured.stdout, /more than 10,000 YAML documents/);
  assert.equal(measured.status, 2, 'exit 2: a file Tenet could not read in full');
  const peakMiB = Number(measured.stderr.trim().split('\n').at(-1)) / 1024;
  t.diagnostic(`200,000 YAML documents (${(statSync(many).size / 1048576).toFixed(1)} MiB): peak RSS ${peakMiB.toFixed(0)} MiB`);
  assert.ok(peakMiB < 1024, `${peakMiB} MiB`);
});

test('a shared value is as deep as where it is used again: an anchor nested 200 deep, used 200 deep', () => {
  const nest = (n: number, inner: string) => `${'['.repeat(n)}${inner}${']'.repeat(n)}`;
  const text = `a: &a ${nest(200, '1')}\nb: ${nest(200, '*a')}\n`;
  const { codes, messages } = beside(file('shared.yaml', text));
  assert.deepEqual(codes, ['TN024']);
  assert.match(messages[0]!, /nested deeper than 256 levels/);
});
