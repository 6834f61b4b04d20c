// bench/sensor-overhead: what the defender (bpftrace sensors, detection, store)
// costs a busy container. nginx from the lab serves a small page under wrk.
// The defender first learns nginx's model (not measured); then, interleaved
// because these machines are noisy: defender off; defender on as it runs once
// its models are learned (syscalls sampled, not watched); defender on with
// `--syscalls always` (a probe on every syscall of the host). The figures are
// ratios of the medians of requests/s. Needs the lab (root, `npm run lab:up`).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, docker, requireLab, startNginx, tenetStatus, wrk as wrkAt } from './lab.ts';
import { median } from './measure.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const TARGET_LOSS = 0.05;

await requireLab('bench/sensor-overhead');
const data = mkdtempSync(join(tmpdir(), 'tenet-bench-sensor-'));
const { id, ip } = startNginx();
const wrk = () => wrkAt(ip, SECONDS);

type Status = { defender?: { running: boolean; sensor: { running: boolean }; syscallSensor?: { running: boolean; wanted: boolean } }; models: Array<{ state: string }> };
const status = () => tenetStatus<Status>(data);

/** Starts the defender and resolves once `ready` says so about its status. */
async function defenderOn(args: string[], ready: (s: Status) => boolean) {
  const child = spawn(process.execPath, [BIN, 'defender', '--data', data, '--quiet', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 90_000;
  for (;;) {
    const s = status();
    if (s?.defender?.running === true && s.defender.sensor.running && ready(s)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the defender was not ready within 90 s: ${JSON.stringify(s?.defender)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
  };
}

const off: number[] = [];
const on: number[] = [];
const always: number[] = [];
try {
  // learn nginx under load first (not measured)
  const stopLearning = await defenderOn(['--learn-for', '8s'], () => true);
  while (status()?.models.some((m) => m.state === 'active') !== true) wrk();
  await stopLearning();
  for (let r = 0; r < ROUNDS; r++) {
    off.push(wrk());
    let stop = await defenderOn([], (s) => s.defender?.syscallSensor?.wanted === false && !s.defender.syscallSensor.running);
    on.push(wrk());
    await stop();
    stop = await defenderOn(['--syscalls', 'always'], (s) => s.defender?.syscallSensor?.running === true);
    always.push(wrk());
    await stop();
  }
} finally {
  docker('rm', '-f', id);
  rmSync(data, { recursive: true, force: true });
}
const loss = 1 - median(on) / median(off);
const lossAlways = 1 - median(always) / median(off);
const line = (name: string, xs: number[]) => `  ${name.padEnd(34)} ${Math.round(median(xs)).toLocaleString('en').padStart(7)} requests/s  (${xs.map((x) => Math.round(x)).join(', ')})`;
console.log(`bench/sensor-overhead: nginx under wrk (1 thread, 32 connections, ${SECONDS} s), ${ROUNDS} interleaved rounds`);
console.log(line('defender off', off));
console.log(line('defender on, models learned', on));
console.log(line('defender on, --syscalls always', always));
console.log(`  models learned: ratio on/off ${(1 - loss).toFixed(3)}, ${(loss * 100).toFixed(1)}% loss; target ≤ ${TARGET_LOSS * 100}%: ${loss <= TARGET_LOSS ? 'met' : 'NOT met'}`);
console.log(`  --syscalls always: ratio on/off ${(1 - lossAlways).toFixed(3)}, ${(lossAlways * 100).toFixed(1)}% loss`);
if (loss > TARGET_LOSS) process.exitCode = 1;
