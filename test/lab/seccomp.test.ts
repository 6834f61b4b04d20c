import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { seccompProfile } from '../../src/enforce/generators/index.ts';
import { nodeSyscallMap } from '../../src/knowledge/index.ts';
import { docker, inLab, LAB_IMAGES, LAB_LABEL, seccompLog } from './lab.ts';

const work = mkdtempSync(join(tmpdir(), 'tenet-lab-seccomp-'));
after(() => rmSync(work, { recursive: true, force: true }));


async function get(url: string): Promise<string> {
  return (await fetch(url, { signal: AbortSignal.timeout(3000) })).text();
}

test('the lab Node.js app serves under a profile built from the syscall map, and never asks for more', async (t) => {
  if (!(await inLab(t))) return;
  const map = nodeSyscallMap(process.version, process.arch)!;
  // What the app's code uses: an HTTP server and a SIGTERM handler (process signals).
  const needed = [...map.baseline, ...map.apis['http.createServer']!, ...map.apis['process.kill']!];
  const profile = seccompProfile(needed);
  const allowed = profile.syscalls[0]!.names;
  const enforce = join(work, 'profile.json');
  const logOnly = join(work, 'profile-log.json');
  writeFileSync(enforce, JSON.stringify(profile));
  writeFileSync(logOnly, JSON.stringify({ ...profile, defaultAction: 'SCMP_ACT_LOG' }));

  const run = async (profilePath: string) => {
    const id = docker('run', '-d', '--label', `${LAB_LABEL}=seccomp-test`, '--security-opt', `seccomp=${profilePath}`, LAB_IMAGES.nodeApp);
    try {
      const ip = docker('inspect', '-f', '{{.NetworkSettings.IPAddress}}', id);
      let answers: string[] = [];
      for (let attempt = 0; attempt < 50 && answers.length === 0; attempt++) {
        try {
          answers = [await get(`http://${ip}:3000/healthz`)];
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      for (let i = 1; i <= 3; i++) answers.push(await get(`http://${ip}:3000/`));
      docker('stop', '-t', '5', id);
      return { answers, exit: docker('inspect', '-f', '{{.State.ExitCode}}', id) };
    } finally {
      docker('rm', '-f', id);
    }
  };

  // First with every would-be denial logged instead of refused: the kernel's log must stay silent.
  const before = seccompLog().length;
  const logged = await run(logOnly);
  assert.deepEqual(logged.answers, ['ok\n', '{"visits":1}\n', '{"visits":2}\n', '{"visits":3}\n']);
  assert.deepEqual(seccompLog().slice(before), [], 'no syscall outside the profile, start to stop');
  // Then enforced: the same answers, and a clean exit on SIGTERM.
  const enforced = await run(enforce);
  assert.deepEqual(enforced.answers, logged.answers);
  assert.equal(enforced.exit, '0');
  t.diagnostic(`allowed ${allowed.length} syscalls`);
  assert.ok(allowed.length < 120, `${allowed.length} allowed`);
});

test('a process the code never spawns fails with EPERM, and the program goes on', async (t) => {
  if (!(await inLab(t))) return;
  const map = nodeSyscallMap(process.version, process.arch)!;
  const path = join(work, 'no-spawn.json');
  writeFileSync(path, JSON.stringify(seccompProfile(map.baseline)));
  const script = "const r = require('node:child_process').spawnSync('/bin/true'); console.log(r.error ? r.error.code : 'spawned'); console.log('alive');";
  const out = docker('run', '--rm', '--label', `${LAB_LABEL}=seccomp-test`, '--security-opt', `seccomp=${path}`, LAB_IMAGES.nodeApp, 'node', '-e', script);
  assert.equal(out, 'EPERM\nalive');
});
