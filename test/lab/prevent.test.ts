import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import type { Audit, IntentModel } from '../../src/model/index.ts';
import { BIN, tenet } from '../run-cli.ts';
import { docker, inLab, LAB_IMAGES, LAB_LABEL, sleep, until } from './lab.ts';

const work = mkdtempSync(join(tmpdir(), 'tenet-lab-prevent-'));
const data = join(work, 'data');
const NAME = 'tenet-lab-guarded';
let defender: ChildProcess | undefined;

after(() => {
  defender?.kill('SIGKILL');
  spawnSync('docker', ['rm', '-f', NAME], { stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
});

const dockerExec = (...args: string[]) => spawnSync('docker', ['exec', NAME, ...args], { stdio: 'ignore', timeout: 20_000 }).status;
const state = () => docker('inspect', '-f', '{{.State.StartedAt}} {{.RestartCount}} {{.State.Running}}', NAME);
type Status = { defender: { guard?: { running: boolean; containers: number; lastUpdateMs?: number } } };
const guard = () => (JSON.parse(tenet(['status', '--data', data, '--format', 'json']).stdout) as Status).defender.guard;

/** wrk against the container for `seconds`, in the background; resolves to its report. */
function load(address: string, seconds: number): Promise<string> {
  return new Promise((resolve) => {
    const wrk = spawn('wrk', ['-t2', '-c10', `-d${seconds}s`, `http://${address}/`]);
    let out = '';
    wrk.stdout.on('data', (c: Buffer) => (out += c.toString()));
    wrk.on('close', () => resolve(out));
  });
}

test('prevent mode kills an unapproved exec in the kernel while the container serves wrk; alert lets it through again', { timeout: 240_000 }, async (t) => {
  if (!(await inLab(t))) return;
  spawnSync('docker', ['rm', '-f', NAME], { stdio: 'ignore' });
  defender = spawn(process.execPath, [BIN, 'defender', '--learn-for', '6s', '--data', data], { stdio: ['ignore', 'pipe', 'pipe'] });
  const audits: Audit[] = [];
  const log: string[] = [];
  createInterface({ input: defender.stdout! }).on('line', (line) => audits.push(JSON.parse(line) as Audit));
  createInterface({ input: defender.stderr! }).on('line', (line) => log.push(line));
  await until('the defender runs', () => (log.some((l) => l.includes('defender running')) ? true : undefined), 60_000)
    .catch((e: Error) => { throw new Error(`${e.message}\n${log.join('\n')}`); });

  docker('run', '-d', '--label', `${LAB_LABEL}=prevent-test`, '--name', NAME, LAB_IMAGES.nginx);
  const address = docker('inspect', '-f', '{{.NetworkSettings.IPAddress}}', NAME);
  await load(address, 3);
  const models = () => JSON.parse(tenet(['models', '--data', data, '--format', 'json']).stdout) as IntentModel[];
  const imageId = docker('inspect', '-f', '{{.Image}}', NAME);
  await until('the model is active', () => (models().some((m) => m.id === imageId && m.state === 'active') ? true : undefined), 60_000);
  const before = state();

  const set = Date.now();
  assert.equal(tenet(['mode', 'prevent', '--image', LAB_IMAGES.nginx, '--dimension', 'processes', '--data', data]).status, 0);
  await until('the guard is live', () => (guard()?.running === true && guard()!.containers === 1 ? true : undefined), 30_000)
    .catch((e: Error) => { throw new Error(`${e.message}\n${log.join('\n')}`); });
  t.diagnostic(`mode change to a live guard: ${Date.now() - set} ms (the guard itself took ${guard()?.lastUpdateMs} ms)`);

  const traffic = load(address, 4);
  await sleep(1000);
  assert.equal(dockerExec('sh', '-c', 'true'), 137, 'the shell is killed before it runs');
  assert.equal(dockerExec('/usr/sbin/nginx', '-t'), 0, 'a program the model has still runs');
  const report = await traffic;
  assert.match(report, /Requests\/sec/);
  assert.doesNotMatch(report, /Socket errors|Non-2xx/, report);
  assert.equal(state(), before, 'the container was neither restarted nor stopped');
  const prevented = await until('the audit', () => audits.find((a) => a.action?.taken === 'process-killed'), 5_000);
  assert.equal(prevented.rule, 'unexpected-process');
  assert.equal(prevented.event.process?.path, '/usr/bin/sh');
  assert.equal(prevented.container.name, NAME);

  assert.equal(tenet(['mode', 'alert', '--image', LAB_IMAGES.nginx, '--dimension', 'processes', '--data', data]).status, 0);
  await until('the guard is gone', () => (guard()?.running === false ? true : undefined), 30_000);
  assert.equal(dockerExec('sh', '-c', 'true'), 0, 'alert lets the same action through');
  await until('its audit, without an action', () => audits.find((a) => a.rule === 'unexpected-process' && a.action === undefined), 5_000);
  assert.equal(state(), before);
  // the guard leaves nothing behind: no bpftrace of it runs
  assert.doesNotMatch(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }), /bpftrace --unsafe/);
});
