import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Containers, STRANGER_MS, tracked, UNKNOWN_CGROUP_GRACE_MS, UNKNOWN_CGROUP_LIMIT, type Tracked } from '../../src/defender/tracking.ts';
import { Learner } from '../../src/learn/index.ts';
import type { ContainerInfo } from '../../src/runtime/index.ts';
import { ProcessTable, type SensorRecord } from '../../src/sensor/index.ts';

const learner = new Learner({ windowSec: 60 });

function info(id: string, cgroupId?: string, running = true): ContainerInfo {
  return { id, name: `n-${id}`, image: 'nginx:1', imageId: `sha256:${id}`, labels: {}, pid: 100, running, ...(cgroupId !== undefined && { cgroupId }) };
}

function container(id: string, cgroupId?: string, running = true): Tracked {
  return tracked(info(id, cgroupId, running), learner.attach({ id, imageId: `sha256:${id}` }, 0));
}

const exec = (cgroup: string, pid: number): SensorRecord => ({ tag: 'exec', cgroup, pid, ppid: 0, uid: 0, path: '/bin/sh', parentName: 'x', name: 'sh' });

test('tracked() is a container\'s first state: its info, its model and an empty process table', () => {
  const model = learner.attach({ id: 'first', imageId: 'sha256:first' }, 0);
  const t = tracked(info('first', '7'), model);
  assert.deepEqual(Object.keys(t).sort(), ['info', 'model', 'processes']);
  assert.deepEqual(t.info, info('first', '7'));
  assert.equal(t.model, model);
  assert.ok(t.processes instanceof ProcessTable);
});

test('records of an unknown cgroup are held with their time and handed over, in order, when its container is tracked', () => {
  const containers = new Containers();
  assert.equal(containers.waiting, false);
  containers.hold(exec('10', 1), 1000);
  containers.hold(exec('20', 9), 1001);
  containers.hold(exec('10', 2), 1002);
  containers.hold(exec('10', 3), 1005);
  assert.equal(containers.waiting, true);
  const c1 = container('c1', '10');
  assert.deepEqual(containers.track(c1), [
    { record: exec('10', 1), at: 1000 }, { record: exec('10', 2), at: 1002 }, { record: exec('10', 3), at: 1005 },
  ]);
  assert.equal(containers.ofCgroup('10'), c1);
  assert.equal(containers.get('c1'), c1);
  // handed over once: tracking it again gives nothing more
  assert.deepEqual(containers.track(c1), []);
  assert.equal(containers.waiting, true, 'cgroup 20 still waits');
  assert.deepEqual(containers.track(container('c2', '20')), [{ record: exec('20', 9), at: 1001 }]);
  assert.equal(containers.waiting, false);
  assert.equal(containers.dropped, 0);
});

test('a container without a cgroup id takes no records and is tied to no cgroup', () => {
  const containers = new Containers();
  containers.hold(exec('10', 1), 0);
  assert.deepEqual(containers.track(container('c1')), []);
  assert.equal(containers.get('c1')?.info.id, 'c1');
  assert.equal(containers.waiting, true);
});

test('a cgroup\'s queue is bounded: past the limit records are dropped, counted, the first ones kept', () => {
  const containers = new Containers();
  for (let i = 0; i < UNKNOWN_CGROUP_LIMIT + 3; i++) containers.hold(exec('10', i), i);
  containers.hold(exec('11', 1), 0);
  assert.equal(containers.dropped, 3);
  const held = containers.track(container('c1', '10'));
  assert.equal(held.length, UNKNOWN_CGROUP_LIMIT);
  assert.deepEqual([held[0], held.at(-1)], [{ record: exec('10', 0), at: 0 }, { record: exec('10', UNKNOWN_CGROUP_LIMIT - 1), at: UNKNOWN_CGROUP_LIMIT - 1 }]);
  assert.equal(containers.track(container('c2', '11')).length, 1, 'another cgroup has its own queue');
});

test('expire gives up the cgroups waiting past the grace since their first record, and says how many records that was', () => {
  const containers = new Containers();
  containers.hold(exec('10', 1), 1000);
  containers.hold(exec('10', 2), 1000 + UNKNOWN_CGROUP_GRACE_MS - 1);
  containers.hold(exec('20', 1), 3000);
  assert.equal(containers.expire(1000 + UNKNOWN_CGROUP_GRACE_MS - 1), 0);
  assert.equal(containers.expire(1000 + UNKNOWN_CGROUP_GRACE_MS), 2);
  assert.equal(containers.waiting, true);
  assert.deepEqual(containers.track(container('c1', '10')), [], 'given up');
  assert.equal(containers.expire(3000 + UNKNOWN_CGROUP_GRACE_MS), 1);
  assert.equal(containers.waiting, false);
  assert.equal(containers.expire(Number.MAX_SAFE_INTEGER), 0);
  // a cgroup given up on is a stranger for a while: its records are dropped and counted, nobody is asked about it
  const givenUp = 3000 + UNKNOWN_CGROUP_GRACE_MS;
  assert.equal(containers.hold(exec('20', 2), givenUp + 1), false);
  assert.equal(containers.waiting, false);
  assert.equal(containers.expire(givenUp + 2), 1, 'counted at the next expire');
  // after that it waits anew
  assert.equal(containers.hold(exec('20', 3), givenUp + STRANGER_MS), true);
  assert.equal(containers.expire(givenUp + STRANGER_MS + UNKNOWN_CGROUP_GRACE_MS - 1), 0);
  assert.deepEqual(containers.track(container('c2', '20')), [{ record: exec('20', 3), at: givenUp + STRANGER_MS }]);
  // a container tracked with a stranger's cgroup ends it at once
  containers.hold(exec('30', 1), 0);
  containers.expire(UNKNOWN_CGROUP_GRACE_MS);
  containers.track(container('c3', '30'));
  containers.stopped('c3');
  assert.equal(containers.hold(exec('30', 2), UNKNOWN_CGROUP_GRACE_MS + 1), true);
});

test('re-tracking a container with a new cgroup unties the old one, unless another container took it', () => {
  const containers = new Containers();
  const first = container('c1', '10');
  containers.track(first);
  const moved = container('c1', '11');
  containers.track(moved);
  assert.equal(containers.ofCgroup('10'), undefined);
  assert.equal(containers.ofCgroup('11'), moved);
  assert.equal(containers.get('c1'), moved);
  assert.deepEqual([...containers.all()], [moved]);

  const other = container('c2', '12');
  containers.track(other);
  containers.track(container('c1', '12'));
  assert.equal(containers.ofCgroup('11'), undefined);
  const again = container('c1', '13');
  containers.track(again);
  assert.equal(containers.ofCgroup('12'), undefined, 'c1 held 12 last, and gives it up');
  assert.equal(containers.ofCgroup('13'), again);

  // c3 takes a cgroup c2 had: c2 moving on leaves it with c3
  const c3 = container('c3', '14');
  containers.track(container('c2', '14'));
  containers.track(c3);
  containers.track(container('c2', '15'));
  assert.equal(containers.ofCgroup('14'), c3);
});

test('stopped() marks a container not running and unties its cgroup, keeping it known', () => {
  const containers = new Containers();
  const c1 = container('c1', '10');
  const before = c1.info;
  containers.track(c1);
  const t = containers.stopped('c1');
  assert.equal(t, c1);
  assert.deepEqual(c1.info, { ...before, running: false });
  assert.equal(before.running, true, 'the old info is not changed: a new one replaces it');
  assert.equal(containers.ofCgroup('10'), undefined);
  assert.equal(containers.get('c1'), c1);
  assert.deepEqual([...containers.running()], []);
  assert.equal(containers.stopped('nobody'), undefined);
  // a stopped container's cgroup another container took stays that one's
  const c2 = container('c2', '20');
  containers.track(container('c3', '20'));
  containers.track(c2);
  containers.stopped('c3');
  assert.equal(containers.ofCgroup('20'), c2);
});

test('remove() forgets a container and its cgroup', () => {
  const containers = new Containers();
  containers.track(container('c1', '10'));
  const c2 = container('c2', '20');
  containers.track(c2);
  containers.remove('c1');
  assert.equal(containers.get('c1'), undefined);
  assert.equal(containers.find('c1'), undefined);
  assert.equal(containers.ofCgroup('10'), undefined);
  assert.deepEqual([...containers.all()], [c2]);
  containers.remove('nobody');
  assert.deepEqual([...containers.all()], [c2]);
});

test('find() takes an id or a prefix of one, the exact id first', () => {
  const containers = new Containers();
  const long = container('abcdef0123');
  const short = container('abc');
  const other = container('fedcba');
  for (const t of [long, short, other]) containers.track(t);
  assert.equal(containers.find('abc'), short);
  assert.equal(containers.find('abcd'), long);
  assert.equal(containers.find('fed'), other);
  assert.equal(containers.find('xyz'), undefined);
  assert.equal(containers.get('abcd'), undefined, 'get takes only the whole id');
});

test('running() yields only the running containers', () => {
  const containers = new Containers();
  const up = container('up', '1');
  const down = container('down', '2', false);
  const stopping = container('stopping', '3');
  for (const t of [up, down, stopping]) containers.track(t);
  containers.stopped('stopping');
  assert.deepEqual([...containers.running()], [up]);
  assert.deepEqual([...containers.all()], [up, down, stopping]);
});

test('an exec of /proc/self/exe or /proc/PID/exe runs the program the process was: busybox\'s applets are busybox, not drift; a file descriptor stays unknown', () => {
  const table = new ProcessTable();
  // the process has already exited when its exec is read: /proc/PID/exe cannot be read (as for `timeout 5 wget` under busybox)
  const host = { exe: () => undefined, process: (pid: number) => ({ pid }) };
  const c = info('bb', '1');
  const record = (pid: number, ppid: number, path: string): SensorRecord => ({ tag: 'exec', cgroup: '1', pid, ppid, uid: 0, path, parentName: 'sh', name: path.slice(path.lastIndexOf('/') + 1) });
  table.event(record(10, 1, '/bin/busybox'), c, 't', host);
  table.event(record(11, 10, '/proc/self/exe'), c, 't', host);
  assert.equal(table.get(11)?.exe, '/bin/busybox', 'a forked child re-executing itself runs its parent\'s program');
  assert.equal(table.get(11)?.path, '/bin/busybox', 'and is named by it: the model learns /bin/busybox, not /proc/self/exe');
  table.event(record(12, 1, '/proc/10/exe'), c, 't', host);
  assert.equal(table.get(12)?.exe, '/bin/busybox', 'another process\'s file, by its pid');
  table.event(record(13, 10, '/proc/self/fd/3'), c, 't', host);
  assert.equal(table.get(13)?.exe, undefined, 'a memfd or an open file descriptor is no program of the image: drift stays');
  table.event(record(14, 99, '/proc/self/exe'), c, 't', host);
  assert.equal(table.get(14)?.exe, undefined, 'a parent the table never saw: nothing known');
  assert.equal(table.get(14)?.path, '/proc/self/exe');
});
