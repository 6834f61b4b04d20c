import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { execGuardScript } from '../../src/enforce/index.ts';
import { parseSensorLine } from '../../src/sensor/index.ts';

test('the guard kills, per prevented container, what its model does not allow: exact paths, folders, names, long paths by their start', () => {
  const long = `/opt/${'x'.repeat(80)}/bin/app`;
  const script = execGuardScript([
    { cgroup: '101', allowed: ['/usr/sbin/nginx', '/usr/lib/nginx/*', 'nginx', '/proc/*/exe', long] },
    { cgroup: '202', allowed: [] },
  ])!;
  assert.match(script, /^tracepoint:sched:sched_process_exec \/cgroup == 101 \|\| cgroup == 202\/ \{$/m);
  assert.match(script, /\(\$f == "\/usr\/sbin\/nginx"\)/);
  assert.match(script, /\(strncmp\(\$f, "\/usr\/lib\/nginx\/", 15\) == 0\)/);
  assert.match(script, /\(comm == "nginx"\)/);
  assert.match(script, /\(strncmp\(\$f, "\/proc\/", 6\) == 0\)/, 'a generalised segment widens to what comes before it');
  assert.match(script, new RegExp(`strncmp\\(\\$f, "${long.slice(0, 63)}", 63\\)`), 'a path longer than bpftrace keeps: its first 63 bytes');
  assert.match(script, /if \(cgroup == 202\) \{\n {4}if \(!\(0\)\) \{/, 'an empty model allows nothing');
  assert.match(script, /signal\("SIGKILL"\)/);
});

test('nothing to guard is no guard; a model allowing everything is not guarded; cgroups must be numbers', () => {
  assert.equal(execGuardScript([]), undefined);
  assert.equal(execGuardScript([{ cgroup: '1', allowed: ['/*'] }]), undefined);
  assert.equal(execGuardScript([{ cgroup: '1; system("x")', allowed: [] }]), undefined);
  assert.match(execGuardScript([{ cgroup: '7', allowed: ['/a"b'] }])!, /"\/a\\"b"/, 'quotes are escaped');
});

test('the guard\'s kill is a record of the sensor\'s format', () => {
  assert.deepEqual(parseSensorLine(JSON.stringify({ type: 'printf', data: 'killed\x1f101\x1f4242\x1f/usr/bin/sh\n' })),
    { record: { tag: 'killed', cgroup: '101', pid: 4242, path: '/usr/bin/sh' } });
});

test('the kernel takes the guard: bpftrace loads it', (t) => {
  if (process.getuid?.() !== 0) return t.skip('not root: bpftrace cannot compile programs on this machine (not a lab)');
  const script = execGuardScript([{ cgroup: '101', allowed: ['/usr/sbin/nginx', '/usr/lib/nginx/*', 'nginx'] }])!;
  // loaded into the kernel (the verifier passes it) for as long as `true` runs
  execFileSync('bpftrace', ['--unsafe', '-e', script, '-c', '/bin/true'], { stdio: 'ignore', timeout: 60_000 });
});
