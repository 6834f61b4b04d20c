import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Learner, SYSCALL_FAMILIES, type LearnedContainer } from '../../src/learn/index.ts';

import { IntentModel, type RuntimeEvent } from '../../src/model/index.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const api = (id: string): LearnedContainer => ({ id, imageId: 'sha256:bbb', repository: 'shop/api' });
const ev = (kind: RuntimeEvent['kind'], fields: Partial<RuntimeEvent> = {}): RuntimeEvent => ({ kind, time: '2026-01-01T00:00:00Z', source: 'tenet', ...fields });
const syscall = (name: string) => ev('syscall', { syscall: name });
const exec = (path: string) => ev('exec', { process: { path } });
const connect = (host: string, port: number) => ev('connect', { network: { protocol: 'tcp', remoteAddress: host, remotePort: port } });
const snapshot = (learner: Learner) => IntentModel.parse([...learner.models.values()][0]!.snapshot((ms) => new Date(ms).toISOString()));

/**
 * A server under load: a burst of start-up behaviour, then requests every second, a healthcheck every `healthSec` and
 * new peers at `lateNewAt`, for `seconds`; returns the second its model became active. The observed clock moves at
 * each second's `advance`, after that second's events: an event at second s is learned at s - 1 s of observed time.
 */
function run(learner: Learner, seconds: number, options: { healthSec?: number; lateNewAt?: number[] } = {}): number | undefined {
  let activeAt: number | undefined;
  learner.advance(T0);
  for (const name of ['read', 'epoll_wait', 'accept4', 'openat', 'mmap']) learner.observe(syscall(name), 'c1', T0);
  learner.observe(exec('/app/server'), 'c1', T0);
  for (let s = 1; s <= seconds; s++) {
    const now = T0 + s * 1000;
    for (let i = 0; i < 5; i++) learner.observe(connect('10.0.0.5', 6379), 'c1', now);
    if (options.healthSec !== undefined && s % options.healthSec === 0) learner.observe(exec('/usr/bin/curl'), 'c1', now);
    if (options.lateNewAt?.includes(s) === true) learner.observe(connect(`10.0.0.${9 + s}`, 5432), 'c1', now);
    if (learner.advance(now).length > 0 && activeAt === undefined) activeAt = s;
  }
  return activeAt;
}

test('a model whose behaviour settled becomes active when it has converged, long before its window', () => {
  const learner = new Learner({ windowSec: 3600 });
  learner.attach(api('c1'), T0);
  const activeAt = run(learner, 1200);
  // nothing new after the first second: 300 s quiet
  assert.equal(activeAt, 300);
  const learning = snapshot(learner).learning!;
  assert.deepEqual([learning.convergence?.by, learning.convergence?.converged, learning.convergence?.waiting], ['convergence', true, []]);
});

test('a dimension that learned late waits as long again; a periodic job waits twice its period; the window stays the cap', () => {
  const late = new Learner({ windowSec: 3600 });
  late.attach(api('c1'), T0);
  assert.equal(run(late, 1200, { lateNewAt: [200, 450] }), 898, 'new at 449 s of observed time: quiet for 449 s more');

  const periodic = new Learner({ windowSec: 3600 });
  periodic.attach(api('c1'), T0);
  // a healthcheck every 250 s: new at 249 s, seen again at 500 s; from then on 2 × 250 s of quiet are needed after it
  assert.equal(run(periodic, 1200, { healthSec: 250 }), 749);

  const capped = new Learner({ windowSec: 200 });
  capped.attach(api('c1'), T0);
  assert.equal(run(capped, 400), 200, 'the window ends learning first');
  assert.equal(snapshot(capped).learning!.convergence?.by, 'window');

  const off = new Learner({ windowSec: 3600, converge: false });
  off.attach(api('c1'), T0);
  assert.equal(run(off, 1200), undefined, 'convergence off: only the window ends learning');
});

test('while it still moves, the model says which dimensions and why; too few events never converge', () => {
  const learner = new Learner({ windowSec: 3600 });
  learner.attach(api('c1'), T0);
  run(learner, 200, { lateNewAt: [150] });
  const waiting = snapshot(learner).learning!.convergence!.waiting;
  const egress = waiting.find((w) => w.dimension === 'egress')!;
  assert.deepEqual([egress.quietSec, egress.needSec], [51, 300]);
  assert.match(egress.why, /new 51 s ago; quiet needed: at least 300 s/);

  const idle = new Learner({ windowSec: 3600 });
  idle.attach(api('c1'), T0);
  idle.advance(T0);
  idle.observe(exec('/app/server'), 'c1', T0);
  assert.deepEqual(idle.advance(T0 + 1000_000), []);
  assert.match(snapshot(idle).learning!.convergence!.waiting[0]!.why, /learned from 1 events, needs 100/);
});

test('a restarted defender keeps where convergence stood: a model that learned something just before is not converged after', () => {
  const learner = new Learner({ windowSec: 3600 });
  learner.attach(api('c1'), T0);
  run(learner, 290, { lateNewAt: [280] });
  const kept = snapshot(learner);
  const again = new Learner({ windowSec: 3600 });
  again.restore([kept], T0 + 290_000);
  again.attach(api('c1'), T0 + 290_000);
  again.advance(T0 + 290_000);
  assert.deepEqual(again.advance(T0 + 400_000), [], 'the egress learned at 280 s still needs 280 s of quiet');
  assert.equal(again.advance(T0 + 600_000).length, 1);
});

test('a syscall learned brings its family: the first epoll_ctl or pselect6 after the window is no alarm; nothing that changes what a process may reach comes in a family', () => {
  const learner = new Learner({ windowSec: 10 });
  learner.attach(api('c1'), T0);
  learner.advance(T0);
  learner.observe(syscall('epoll_wait'), 'c1', T0);
  learner.observe(syscall('poll'), 'c1', T0);
  learner.observe(syscall('epoll_pwait'), 'c1', T0 + 1);
  learner.advance(T0 + 10_000);
  for (const name of ['epoll_ctl', 'epoll_create1', 'pselect6', 'ppoll']) assert.equal(learner.observe(syscall(name), 'c1', T0 + 11_000)?.outcome, 'known', name);
  assert.equal(learner.observe(syscall('ptrace'), 'c1', T0 + 11_000)?.outcome, 'deviation');
  assert.equal(learner.observe(syscall('execveat'), 'c1', T0 + 11_000)?.outcome, 'deviation', 'fileless exec is never implied');
  const source = snapshot(learner).syscalls.sources.find((s) => s.kind === 'learned')!;
  assert.match(source.detail ?? '', /^3 syscalls observed, \d+ more of their families \(epoll_wait ⇒ epoll_create/);
  const reaching = new Set(['mount', 'umount2', 'pivot_root', 'setns', 'unshare', 'open_by_handle_at', 'init_module', 'finit_module', 'kexec_load', 'bpf', 'ptrace', 'execveat', 'setuid', 'setgid', 'capset', 'chroot']);
  assert.deepEqual(SYSCALL_FAMILIES.flat().filter((s) => reaching.has(s)), []);
  assert.equal(new Set(SYSCALL_FAMILIES.flat()).size, SYSCALL_FAMILIES.flat().length, 'each syscall in one family at most');
});

test('a family comes and goes with the syscall that brought it: replicas keep it, an outlier\'s goes with it', () => {
  const learner = new Learner({ windowSec: 1 });
  for (const id of ['r1', 'r2', 'r3']) learner.attach({ ...api(id), workload: 'shop/api' }, T0);
  learner.advance(T0);
  for (const id of ['r1', 'r2', 'r3']) learner.observe(syscall('epoll_wait'), id, T0);
  learner.observe(syscall('pipe'), 'r2', T0);
  learner.advance(T0 + 1_000);
  const allowed = snapshot(learner).syscalls.allow;
  assert.ok(allowed.includes('epoll_ctl'), 'the family of a syscall every replica made');
  assert.ok(!allowed.includes('pipe') && !allowed.includes('pipe2'), 'one replica\'s syscall kept apart, and its family with it');
});
