import { contentStoreImage } from '../../src/defender/index.ts';
import { ContentStore } from '../../src/image/index.ts';
import { CriSource } from '../../src/runtime/index.ts';
import { CRI_SOCKET, criImageRef } from '../../lab/node.ts';
import { containerSourceContract } from '../runtime/source-contract.ts';
import { TestKubelet, type RunningPod } from './kubelet.ts';
import { docker, inLab, LAB_IMAGES } from './lab.ts';

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
