import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BIN, tenet } from '../run-cli.ts';

const FEODO = fileURLToPath(new URL('../../../shared/fixtures/threat-intel/abusech/feodotracker-ipblocklist.csv', import.meta.url));
const SCO = fileURLToPath(new URL('../../../shared/fixtures/threat-intel/stix2/sco-examples-array.json', import.meta.url));

/** The CLI run asynchronously (spawnSync would block the test's own HTTP server). */
function tenetAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('intel load, list, lookup and remove; a feed that is not one is refused with the reason', () => {
  const data = mkdtempSync(join(tmpdir(), 'tenet-intel-'));
  const loaded = tenet(['intel', 'load', FEODO, '--data', data, '--every', '1h']);
  assert.equal(loaded.status, 0, loaded.stderr);
  assert.match(loaded.stdout, /^loaded 28 indicators \(feodo-csv\) from .* as feodotracker-ipblocklist.csv\n$/);
  const refused = tenet(['intel', 'load', SCO, '--data', data]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /ERR_BAD_FEED: .*sco-examples-array.json: STIX observables \(19 addresses and names\) without an indicator/);
  assert.match(tenet(['intel', 'load', join(data, 'nope.txt'), '--data', data]).stderr, /ERR_BAD_FEED: .*nope.txt: ENOENT/);

  const list = JSON.parse(tenet(['intel', 'list', '--data', data, '--format', 'json']).stdout) as Array<{ name: string; count: number; everySec: number; source: string }>;
  assert.deepEqual(list.map((f) => [f.name, f.count, f.everySec, f.source]), [['feodotracker-ipblocklist.csv', 28, 3600, FEODO]]);
  assert.equal(tenet(['intel', 'lookup', '192.9.135.73', '--data', data]).stdout, '192.9.135.73: feodotracker-ipblocklist.csv (botnet c2, Pikabot)\n');
  assert.equal(tenet(['intel', 'lookup', '8.8.8.8', '--data', data]).stdout, '8.8.8.8: listed by no feed\n');
  assert.equal(tenet(['intel', 'remove', 'feodotracker-ipblocklist.csv', '--data', data]).status, 0);
  assert.deepEqual(JSON.parse(tenet(['intel', 'lookup', '192.9.135.73', '--data', data, '--format', 'json']).stdout), []);
});

test('a feed is loaded from a URL (here a server on loopback), under the name given', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tenet-intel-url-'));
  const server = createServer((req, res) => {
    if (req.url === '/feeds/feodo.csv') res.end(readFileSync(FEODO));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  try {
    const loaded = await tenetAsync(['intel', 'load', `http://127.0.0.1:${port}/feeds/feodo.csv`, '--name', 'feodo', '--data', data]);
    assert.equal(loaded.status, 0, loaded.stderr);
    assert.match(loaded.stdout, /loaded 28 indicators \(feodo-csv\) .* as feodo\n/);
    const missing = await tenetAsync(['intel', 'load', `http://127.0.0.1:${port}/feeds/none.csv`, '--data', data]);
    assert.match(missing.stderr, /ERR_BAD_FEED: .*none.csv: HTTP 404/);
  } finally {
    server.close();
  }
});
