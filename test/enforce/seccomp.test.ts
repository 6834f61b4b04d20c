import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { allowedSyscalls, checkSeccomp, kubernetesName, profileAllows, seccompProfile, spoSeccompProfile } from '../../src/enforce/index.ts';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/seccomp/', import.meta.url));

test('allowed syscalls: what is needed, what the runtime needs, and every fallback, each once', () => {
  const allowed = allowedSyscalls(['clone3', 'statx', 'read']);
  for (const s of ['clone3', 'clone', 'statx', 'newfstatat', 'fstat', 'execve', 'capset']) assert.ok(allowed.includes(s), s);
  assert.deepEqual(allowed, [...new Set(allowed)].sort());
});

test('a program that starts no process gets threads only: clone with CLONE_THREAD, clone3 answers ENOSYS', () => {
  const profile = seccompProfile(['clone3', 'futex']);
  assert.equal(profile.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(profile.defaultErrnoRet, 1, 'EPERM: one call fails, the process lives');
  const [all, clone, clone3] = profile.syscalls;
  assert.ok(!all!.names.includes('clone') && !all!.names.includes('clone3') && !all!.names.includes('fork'));
  assert.deepEqual(clone, {
    names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0x10000, valueTwo: 0x10000, op: 'SCMP_CMP_MASKED_EQ' }],
    comment: 'threads only: the program starts no processes',
  });
  assert.deepEqual([clone3!.names, clone3!.action, clone3!.errnoRet], [['clone3'], 'SCMP_ACT_ERRNO', 38]);
  assert.ok(profileAllows(profile).includes('clone'));

  const spawning = seccompProfile(['clone3', 'clone', 'wait4']);
  assert.equal(spawning.syscalls.length, 1);
  assert.ok(spawning.syscalls[0]!.names.includes('clone') && spawning.syscalls[0]!.names.includes('clone3'));
});

test('the Security Profiles Operator resource has the shape of the operator\'s own examples', () => {
  const resource = spoSeccompProfile(seccompProfile(['read']), { name: kubernetesName('app:Shop/API_v2'), namespace: 'shop' });
  assert.equal(resource.metadata.name, 'app-shop-api-v2');
  const examples = parseAllDocuments(readFileSync(`${FIXTURES}spo-seccompprofile.yaml`, 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
  const example = examples.find((e) => e.kind === 'SeccompProfile')!;
  assert.equal(resource.apiVersion, example.apiVersion);
  assert.equal(resource.kind, example.kind);
  assert.ok(!('defaultErrnoRet' in resource.spec));
  assert.deepEqual(Object.keys(resource.spec), ['defaultAction', 'architectures', 'syscalls']);
  assert.equal(kubernetesName('???'), 'tenet-profile');
  assert.ok(kubernetesName('a'.repeat(100)).length <= 63);
});

test('a running container has its model\'s profile only when its filter lets through nothing more', () => {
  const needed = ['read', 'write', 'epoll_wait', 'accept4'];
  const own = JSON.stringify(seccompProfile(needed));
  assert.deepEqual(checkSeccomp(own, false, needed), { has: true, reason: 'runs its model\'s profile (or a narrower one)' });
  assert.equal(checkSeccomp(JSON.stringify(seccompProfile(['read'])), false, needed).has, true, 'a narrower profile');
  const wider = checkSeccomp(JSON.stringify(seccompProfile([...needed, 'ptrace', 'mount'])), false, needed);
  assert.equal(wider.has, false);
  assert.match(wider.reason, /allows 2 syscalls its model does not: mount, ptrace/);
  assert.match(checkSeccomp(undefined, false, needed).reason, /runtime's default profile/);
  assert.match(checkSeccomp('unconfined', false, needed).reason, /unconfined/);
  assert.match(checkSeccomp(own, true, needed).reason, /privileged/);
  assert.match(checkSeccomp('{"defaultAction":"SCMP_ACT_LOG"}', false, needed).reason, /every syscall through by default \(SCMP_ACT_LOG\)/);
  assert.match(checkSeccomp('{not json', false, needed).reason, /cannot read/);
  // the older single-name form of a rule
  assert.match(checkSeccomp('{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"kexec_load","action":"SCMP_ACT_ALLOW"}]}', false, needed).reason, /kexec_load/);
});

test('a program that starts processes, seen under the runtime\'s default profile, has clone3 answered with ENOSYS so glibc falls back to clone', () => {
  const profile = seccompProfile(['clone', 'read']);
  assert.ok(profileAllows(profile).includes('clone'));
  assert.deepEqual(profile.syscalls.find((r) => r.names.includes('clone3')), { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38, comment: 'glibc falls back to clone' });
  assert.ok(!seccompProfile(['clone', 'clone3']).syscalls.some((r) => r.action === 'SCMP_ACT_ERRNO'), 'seen using clone3: allowed');
});
