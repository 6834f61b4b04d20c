import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentStoreImage } from '../../src/defender/index.ts';
import { ContentStore } from '../../src/image/index.ts';
import { CriSource } from '../../src/runtime/index.ts';
import { CRI_SOCKET, criImageRef } from '../../lab/node.ts';
import { containerSourceContract } from '../runtime/source-contract.ts';
import { TestKubelet, type RunningPod } from './kubelet.ts';
import { docker, inLab, LAB_IMAGES, until } from './lab.ts';

containerSourceContract('CRI on the lab\'s containerd as a container source', async (t) => {
  if (!(await inLab(t))) return undefined;
  const kubelet = new TestKubelet(CRI_SOCKET);
  // images read in place from containerd's content store, found from the runtime's status
  const source: CriSource = new CriSource(CRI_SOCKET, async (id, reference) => contentStoreImage(new ContentStore((await source.contentStore())!), id, reference));
  const pods = new Map<string, RunningPod>();
  let n = 0;
  return {
    source,
    image: { reference: criImageRef(LAB_IMAGES.busybox), id: docker('image', 'inspect', '-f', '{{.Id}}', LAB_IMAGES.busybox), holds: '/bin/busybox' },
    async start() {
      const pod = await kubelet.run({ namespace: 'contract', name: `sleeper-${process.pid}-${++n}`, containers: [{ name: 'sleeper', image: criImageRef(LAB_IMAGES.busybox), command: ['sleep', '600'] }] });
      const id = pod.containers.get('sleeper')!;
      pods.set(id, pod);
      return id;
    },
    async remove(id) {
      const pod = pods.get(id);
      pods.delete(id);
      if (pod !== undefined) await kubelet.remove(pod);
    },
    async close() {
      for (const pod of pods.values()) await kubelet.remove(pod).catch(() => undefined);
      source.close();
      kubelet.close();
    },
  };
});

test('changes come from the runtime\'s event stream: containerd 1.6 serves no CRI GetContainerEvents, so its events service is used; with listing slowed to a minute, a pod started and removed is seen at once', { timeout: 120_000 }, async (t) => {
  if (!(await inLab(t))) return;
  const kubelet = new TestKubelet(CRI_SOCKET);
  const source = new CriSource(CRI_SOCKET, async () => ({ executables: [] }), { pollMs: 60_000, slowPollMs: 60_000 });
  const changes: Array<{ action: string; id: string; at: number }> = [];
  const follower = await source.follow((c) => changes.push({ action: c.action, id: c.action === 'start' ? c.container.id : c.id, at: Date.now() }), (reason) => assert.fail(reason));
  let pod: RunningPod | undefined;
  try {
    await until('the stream held', () => source.stream, 10_000);
    assert.equal(source.stream, 'containerd events');
    pod = await kubelet.run({ namespace: 'events', name: `sleeper-${process.pid}`, containers: [{ name: 'sleeper', image: criImageRef(LAB_IMAGES.busybox), command: ['sleep', '600'] }] });
    const id = pod.containers.get('sleeper')!;
    const started = Date.now();
    const start = await until('the start', () => changes.find((c) => c.id === id && c.action === 'start'), 5_000);
    assert.ok(start.at - started < 1_000, `seen ${start.at - started} ms after StartContainer returned`);
    await kubelet.remove(pod);
    pod = undefined;
    await until('the removal', () => changes.find((c) => c.id === id && c.action === 'destroy'), 5_000);
  } finally {
    if (pod !== undefined) await kubelet.remove(pod).catch(() => undefined);
    follower.close();
    source.close();
    kubelet.close();
  }
});
