import { spawnSync } from 'node:child_process';
import { engineImage } from '../../src/defender/index.ts';
import { DockerSource } from '../../src/runtime/index.ts';
import { containerSourceContract } from '../runtime/source-contract.ts';
import { docker, inLab, LAB_IMAGES, LAB_LABEL } from './lab.ts';

containerSourceContract('the Docker engine as a container source', async (t) => {
  if (!(await inLab(t))) return undefined;
  const made: string[] = [];
  return {
    source: new DockerSource(engineImage),
    image: { reference: LAB_IMAGES.busybox, id: docker('image', 'inspect', '-f', '{{.Id}}', LAB_IMAGES.busybox), holds: '/bin/busybox' },
    async start() {
      const id = docker('run', '-d', '--label', `${LAB_LABEL}=source-test`, LAB_IMAGES.busybox, 'sleep', '600');
      made.push(id);
      return id;
    },
    async remove(id) {
      docker('rm', '-f', id);
    },
    async close() {
      if (made.length > 0) spawnSync('docker', ['rm', '-f', ...made], { stdio: 'ignore' });
    },
  };
});
