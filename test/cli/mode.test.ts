import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { tenet } from '../run-cli.ts';

test('modes are set per scope and dimension, listed, replaced and unset; a bad mode, scope or dimension is refused', () => {
  const data = mkdtempSync(join(tmpdir(), 'tenet-mode-'));
  assert.equal(tenet(['mode', 'prevent', '--image', 'tenet-lab/nginx', '--dimension', 'processes', '--data', data]).stdout, 'prevent: image tenet-lab/nginx, processes\n');
  assert.equal(tenet(['mode', 'learn', '--all', '--data', data]).status, 0);
  assert.match(tenet(['mode', 'block', '--namespace', 'shop', '--data', data]).stdout, /block: namespace shop, every dimension \(a deviation stops the container\)/);
  assert.equal(tenet(['mode', 'alert', '--image', 'tenet-lab/nginx', '--dimension', 'processes', '--data', data]).status, 0);
  const list = JSON.parse(tenet(['mode', 'list', '--data', data, '--format', 'json']).stdout) as Array<{ scope: { kind: string }; mode: string }>;
  assert.deepEqual(list.map((s) => [s.scope.kind, s.mode]).sort(), [['all', 'learn'], ['image', 'alert'], ['namespace', 'block']]);
  assert.match(tenet(['mode', 'list', '--data', data]).stdout, /^learn    every container, every dimension/m);
  assert.equal(tenet(['mode', 'unset', '--namespace', 'shop', '--data', data]).status, 0);
  assert.match(tenet(['mode', 'unset', '--namespace', 'shop', '--data', data]).stderr, /ERR_USAGE: no mode is set for namespace shop/);
  assert.match(tenet(['mode', 'enforce', '--all', '--data', data]).stderr, /ERR_USAGE: MODE must be one of learn, alert, prevent, block/);
  assert.match(tenet(['mode', 'prevent', '--data', data]).stderr, /ERR_USAGE: a mode needs a scope/);
  assert.match(tenet(['mode', 'prevent', '--all', '--app', 'x', '--data', data]).stderr, /ERR_USAGE: give one scope, not --app and --all/);
  assert.match(tenet(['mode', 'prevent', '--all', '--dimension', 'files', '--data', data]).stderr, /ERR_BAD_OPTION_VALUE: --dimension must be one of processes/);
});
