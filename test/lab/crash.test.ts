// A defender killed with SIGKILL while a container is prevented in every
// dimension: what stays in force on its own, what goes with the defender, and
// how a defender started again takes over or removes what was left.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { ownMounts, parseMountInfo } from '../../src/enforce/index.ts';
import type { IntentModel } from '../../src/model/index.ts';
import { BIN, tenet } from '../run-cli.ts';
import { answers, docker, inLab, LAB_IMAGES, LAB_LABEL, until } from './lab.ts';

const work = mkdtempSync(join(tmpdir(), 'tenet-lab-crash-'));
const data = join(work, 'data');
const NAME = 'tenet-lab-crash';
const PEER = 'tenet-lab-crash-peer';
const defenders: ChildProcess[] = [];

after(() => {
  for (const d of defenders) d.kill('SIGKILL');
  spawnSync('docker', ['rm', '-f', NAME, PEER], { stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
});

/** A defender on the test's store; resolves once it says it runs, with the time it did. */
async function startDefender(log: string[]): Promise<{ child: ChildProcess; runningAt: number }> {
  const child = spawn(process.execPath, [BIN, 'defender', '--learn-for', '6s', '--data', data], { stdio: ['ignore', 'ignore', 'pipe'] });
  defenders.push(child);
  let runningAt: number | undefined;
  createInterface({ input: child.stderr! }).on('line', (line) => {
    log.push(line);
    if (line.includes('defender running')) runningAt ??= Date.now();
  });
  await until('the defender runs', () => runningAt, 60_000).catch((e: Error) => { throw new Error(`${e.message}\n${log.join('\n')}`); });
  return { child, runningAt: runningAt! };
}

const exec = (...args: string[]) => spawnSync('docker', ['exec', NAME, ...args], { encoding: 'utf8', timeout: 20_000 });
const bpftraces = () => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('bpftrace'));

test('a defender killed with SIGKILL: the exec guard goes with it (fail open), the network table and read-only folders stay (fail closed); a defender started again takes over or removes them within 1 s', { timeout: 300_000 }, async (t) => {
  if (!(await inLab(t))) return;
  spawnSync('docker', ['rm', '-f', NAME, PEER], { stdio: 'ignore' });
  const log: string[] = [];
  const first = await startDefender(log);
  docker('run', '-d', '--label', `${LAB_LABEL}=crash-test`, '--name', PEER, LAB_IMAGES.busybox, 'sh', '-c', 'while true; do nc -l -p 9000 < /dev/null; done');
  docker('run', '-d', '--label', `${LAB_LABEL}=crash-test`, '--name', NAME, LAB_IMAGES.nginx);
  const address = docker('inspect', '-f', '{{.NetworkSettings.IPAddress}}', NAME);
  const peer = docker('inspect', '-f', '{{.NetworkSettings.IPAddress}}', PEER);
  const imageId = docker('inspect', '-f', '{{.Image}}', NAME);
  const pid = docker('inspect', '-f', '{{.State.Pid}}', NAME);
  // nginx learns what serving is (it writes its access log), then its model turns active
  await answers(`http://${address}/`);
  await until('nginx\'s model is active', async () => {
    await fetch(`http://${address}/`).catch(() => undefined);
    const models = JSON.parse(tenet(['models', '--data', data, '--format', 'json']).stdout) as IntentModel[];
    return models.some((m) => m.id === imageId && m.state === 'active') ? true : undefined;
  }, 60_000);

  const table = () => spawnSync('nsenter', ['-t', pid, '-n', 'nft', 'list', 'tables'], { encoding: 'utf8' }).stdout.includes('tenet');
  const mounts = () => ownMounts(parseMountInfo(readFileSync(`/proc/${pid}/mountinfo`, 'utf8'))).length;
  const shell = () => exec('sh', '-c', 'true').status;
  const connect = () => exec('timeout', '3', 'bash', '-c', `exec 3<>/dev/tcp/${peer}/9000`).status;
  const write = () => exec('sh', '-c', 'echo tenet >> /etc/tenet-crash');

  assert.equal(tenet(['mode', 'prevent', '--image', LAB_IMAGES.nginx, '--data', data]).status, 0);
  await until('every guard holds nginx', () => (table() && mounts() > 0 && shell() === 137 ? true : undefined), 30_000)
    .catch((e: Error) => { throw new Error(`${e.message}\n${log.join('\n')}`); });

  // the crash: the defender alone, as the kernel's OOM killer would
  const killedAt = Date.now();
  first.child.kill('SIGKILL');
  await until('no bpftrace of the defender is left', () => (bpftraces().length === 0 ? true : undefined), 5_000)
    .catch((e: Error) => { throw new Error(`${e.message}: ${bpftraces().join('; ')}`); });
  t.diagnostic(`the defender's bpftrace children were gone ${Date.now() - killedAt} ms after it`);
  // fail open: no guard kills with no defender to answer for it
  assert.equal(shell(), 0, 'a shell runs: the exec guard went with the defender');
  // fail closed: the kernel keeps the table and the mounts without anyone
  assert.ok(table(), 'the network table stays');
  assert.equal(connect(), 124, 'a connection outside the model is still dropped');
  const refused = write();
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /Read-only file system/, 'the folders outside the model stay read-only');
  assert.equal(docker('inspect', '-f', '{{.State.Running}} {{.RestartCount}}', NAME), 'true 0', 'the container lives on');

  // the network is set back to alert while no defender runs: the defender started again removes what is no longer wanted
  for (const dimension of ['egress', 'listen']) assert.equal(tenet(['mode', 'alert', '--image', LAB_IMAGES.nginx, '--dimension', dimension, '--data', data]).status, 0);
  const second = await startDefender(log);
  const removed = await until('the table is removed', () => (table() ? undefined : Date.now()), 10_000)
    .catch((e: Error) => { throw new Error(`${e.message}\n${log.join('\n')}`); });
  t.diagnostic(`the table left behind was removed ${removed - second.runningAt} ms after the defender ran again`);
  assert.ok(removed - second.runningAt <= 1_000, `removed ${removed - second.runningAt} ms after the defender ran`);
  assert.ok(mounts() > 0, 'the folders still prevented stay read-only');
  // the exec guard is a new bpftrace: compiling and attaching it takes a moment
  const guarded = await until('the exec guard is back', () => (shell() === 137 ? Date.now() : undefined), 30_000);
  t.diagnostic(`the exec guard was back ${guarded - second.runningAt} ms after the defender ran again`);

  // the folders the first defender made read-only are the second's now: alert gives them back
  assert.equal(tenet(['mode', 'alert', '--image', LAB_IMAGES.nginx, '--data', data]).status, 0);
  await until('no mount left, no exec guard', () => (mounts() === 0 && shell() === 0 ? true : undefined), 10_000);
  assert.equal(write().status, 0);
  assert.equal(connect(), 0, 'egress is open');
  second.child.kill('SIGTERM');
  await new Promise((r) => second.child.once('exit', r));
  assert.deepEqual(bpftraces(), [], 'a defender stopped leaves no bpftrace');
});
