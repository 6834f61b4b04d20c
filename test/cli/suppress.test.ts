import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { tenet } from '../run-cli.ts';

test('suppressions are added with a reason and an expiry, listed and removed; a rule that does not exist is refused', () => {
  const data = mkdtempSync(join(tmpdir(), 'tenet-suppress-'));
  const added = tenet(['suppress', 'add', 'unexpected-syscall', '--container', 'web', '--for', '24h', '--reason', 'load test until tomorrow', '--data', data]);
  assert.equal(added.status, 0, added.stderr);
  assert.match(added.stdout, /^suppression [0-9a-f]{8}: unexpected-syscall for web until \d{4}-/);
  const list = JSON.parse(tenet(['suppress', 'list', '--data', data, '--format', 'json']).stdout) as Array<{ id: string; rule: string; container: string; reason: string; expiresAt: string }>;
  assert.deepEqual(list.map((s) => [s.rule, s.container, s.reason]), [['unexpected-syscall', 'web', 'load test until tomorrow']]);
  assert.ok(Date.parse(list[0]!.expiresAt) - Date.now() > 23 * 3600 * 1000);
  assert.match(tenet(['suppress', 'add', 'no-such-rule', '--reason', 'x', '--data', data]).stderr, /ERR_BAD_OPTION_VALUE: no rule no-such-rule; the rules are unexpected-process, unexpected-parent, drift/);
  assert.match(tenet(['suppress', 'add', 'drift', '--data', data]).stderr, /ERR_USAGE: a suppression needs a --reason/);
  assert.equal(tenet(['suppress', 'remove', list[0]!.id, '--data', data]).status, 0);
  assert.deepEqual(JSON.parse(tenet(['suppress', 'list', '--data', data, '--format', 'json']).stdout), []);
});
