import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BpftraceSensor, stderrFilter, type SensorRecord } from '../../src/sensor/index.ts';

/**
 * The supervision seam with a stand-in child (the real bpftrace is in the lab
 * tests): it prints a ready line, a record, garbage and a lost-events notice,
 * and dies on its first run.
 */
const FAKE = `
const fs = require('node:fs');
const marker = process.argv[1];
const first = !fs.existsSync(marker);
fs.writeFileSync(marker, 'x');
const out = (data) => console.log(JSON.stringify({ type: 'printf', data }));
out('ready\\x1f1\\n');
out('syscall\\x1f63\\x1f7\\x1f' + (first ? 0 : 1) + '\\n');
console.log('{"type": "printf", "data": "exec\\x1f63');
console.log('{"type": "lost_events", "data": {"events": 5}}');
console.error('stderr says something');
if (first) process.exit(3);
setInterval(() => out('tick\\n'), 50);
`;

test('a sensor that dies is started again after its back-off; garbage and losses are counted, records keep flowing', async () => {
  const marker = join(mkdtempSync(join(tmpdir(), 'tenet-sensor-')), 'ran');
  const records: SensorRecord[] = [];
  const diagnostics: string[] = [];
  const sensor = new BpftraceSensor({
    command: { file: process.execPath, args: ['-e', FAKE, marker] },
    onRecord: (r) => records.push(r),
    onDiagnostic: (line) => diagnostics.push(line),
    backoffMs: { initial: 50, max: 200 },
  });
  await sensor.start(10_000);
  const deadline = Date.now() + 10_000;
  // the second run's record comes before its garbage and lost-events lines: wait for those too
  while ((records.length < 2 || sensor.stats.lost < 10) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await sensor.stop();
  assert.deepEqual(records.map((r) => r.tag === 'syscall' && r.syscall), ['read', 'write'], 'a record from each run');
  assert.deepEqual([sensor.stats.starts, sensor.stats.restarts, sensor.stats.garbage, sensor.stats.lost], [2, 1, 2, 10]);
  assert.equal(sensor.stats.lastGarbage, 'not JSON (a truncated line?)');
  assert.equal(sensor.stats.running, false);
  assert.ok(diagnostics.some((d) => d.includes('exited with code 3') && d.includes('starting it again in 50 ms')), diagnostics.join('\n'));
  assert.ok(diagnostics.includes('bpftrace: stderr says something'));
});

test('a sensor that cannot start says why', async () => {
  const sensor = new BpftraceSensor({ command: { file: '/nonexistent/bpftrace', args: [] }, onRecord: () => undefined, backoffMs: { initial: 10_000, max: 10_000 } });
  await assert.rejects(sensor.start(500), /did not start within 500 ms/);
  await sensor.stop();
});

test('bpftrace\'s harmless warnings are not said, nor the script line and marks that follow each; anything else is', () => {
  const worthSaying = stderrFilter();
  const stderr = [
    'ERROR: Unknown error -1: couldn\'t set RLIMIT_MEMLOCK for bpftrace. If your program is not loading, you can try "ulimit -l 8192" to fix the problem',
    'sensor.bt:68:91-93: WARNING: Addrspace mismatch',
    'tracepoint:syscalls:sys_exit_accept, tracepoint:syscalls:sys_exit_accept4 /args->ret >= 0 && CONTAINER && NOT_RUNTIME/ {',
    '                                                                                          ~~',
    'sensor.bt:135:13-15: WARNING: Addrspace mismatch',
    '  if ($path == "") {',
    '            ~~',
    'ERROR: Could not resolve symbol: /proc/self/exe:BEGIN_trigger',
  ];
  assert.deepEqual(stderr.filter(worthSaying), ['ERROR: Could not resolve symbol: /proc/self/exe:BEGIN_trigger']);
});
