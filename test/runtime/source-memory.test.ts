import { MemoryContainers, type ContainerInfo } from '../../src/runtime/index.ts';
import { containerSourceContract } from './source-contract.ts';

const IMAGE = { reference: 'tenet-test/app:1', id: `sha256:${'a'.repeat(64)}`, holds: '/bin/app' };

containerSourceContract('the in-memory container source', async () => {
  const source = new MemoryContainers([], [[IMAGE.id, { executables: [IMAGE.holds, '/bin/sh'] }]]);
  let n = 0;
  return {
    source,
    image: IMAGE,
    async start() {
      n++;
      const info: ContainerInfo = { id: `${n}`.padStart(64, 'c'), name: `app-${n}`, image: IMAGE.reference, imageId: IMAGE.id, labels: {}, pid: 1000 + n, running: true, cgroupId: String(5000 + n) };
      source.start(info);
      return info.id;
    },
    async remove(id) {
      if ((await source.inspect(id)) !== undefined) source.die(id);
      source.destroy(id);
    },
    async close() {},
  };
});
