import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryContainers, parseRuntime, Runtimes, type ContainerChange, type ContainerInfo, type ContainerSource } from '../../src/runtime/index.ts';
import { containerSourceContract } from './source-contract.ts';

const IMAGE = { reference: 'tenet-test/app:1', id: `sha256:${'a'.repeat(64)}`, holds: '/bin/app' };
const info = (n: number): ContainerInfo => ({ id: `${n}`.padStart(64, 'c'), name: `app-${n}`, image: IMAGE.reference, imageId: IMAGE.id, labels: {}, pid: 1000 + n, running: true, cgroupId: String(5000 + n) });

// two runtimes of one host as one source: containers started in each in turn
containerSourceContract('two runtimes followed as one', async () => {
  const a = new MemoryContainers([], [[IMAGE.id, { executables: [IMAGE.holds] }]]);
  const b = new MemoryContainers([], [[IMAGE.id, { executables: [IMAGE.holds] }]]);
  const runtimes = new Runtimes([a, b]);
  let n = 0;
  const where = new Map<string, MemoryContainers>();
  return {
    source: runtimes,
    image: IMAGE,
    async start() {
      const c = info(++n);
      const runtime = n % 2 === 0 ? a : b;
      where.set(c.id, runtime);
      runtime.start(c);
      // the image is asked of a runtime that reported it
      await runtimes.running();
      return c.id;
    },
    async remove(id) {
      const runtime = where.get(id)!;
      if ((await runtime.inspect(id)) !== undefined) runtime.die(id);
      runtime.destroy(id);
    },
    async close() {},
  };
});

test('runtimes: one that does not answer a listing is left out and said; one whose stream breaks ends them all; each container is stopped by its own', async () => {
  const good = new MemoryContainers([info(1)]);
  let ends: ((reason: string) => void) | undefined;
  let closed = 0;
  const broken: ContainerSource = {
    name: 'broken',
    running: () => Promise.reject(new Error('connection refused')),
    follow: async (_change, onEnd) => {
      ends = onEnd;
      return { close: () => void closed++ };
    },
    inspect: async () => undefined,
    readImage: () => Promise.reject(new Error('no')),
    stop: () => Promise.reject(new Error('no')),
  };
  const said: string[] = [];
  const runtimes = new Runtimes([good, broken], (line) => said.push(line));
  assert.equal(runtimes.name, 'memory+broken');
  assert.deepEqual((await runtimes.running()).map((c) => c.id), [info(1).id]);
  assert.deepEqual(said, ['containers: broken: connection refused; its containers are left out until it answers']);
  await assert.rejects(new Runtimes([broken]).running(), /broken: connection refused/);

  const changes: ContainerChange[] = [];
  const reasons: string[] = [];
  await runtimes.follow((c) => changes.push(c), (r) => reasons.push(r));
  ends!('the stream ended');
  assert.deepEqual(reasons, ['broken: the stream ended']);
  assert.equal(closed, 1, 'every stream closed');
  assert.equal(good.following, 0);

  await runtimes.stop(info(1).id, 1);
  assert.deepEqual(good.stopped, [info(1).id]);
  await assert.rejects(runtimes.stop('unknown', 1), /no runtime of this host runs container unknown/);
});

test('a runtime named on the command line: docker, docker:SOCKET, cri:SOCKET', () => {
  assert.deepEqual(parseRuntime('docker'), { kind: 'docker' });
  assert.deepEqual(parseRuntime('docker:/run/user/1000/docker.sock'), { kind: 'docker', socket: '/run/user/1000/docker.sock' });
  assert.deepEqual(parseRuntime('cri:/run/containerd/containerd.sock'), { kind: 'cri', socket: '/run/containerd/containerd.sock' });
  for (const bad of ['cri', 'cri:', 'podman:/x', ':x']) assert.equal(parseRuntime(bad), undefined, bad);
});
