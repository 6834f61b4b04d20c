import { execFileSync, spawnSync } from 'node:child_process';
import { DockerSource } from '../../src/runtime/index.ts';
import { BpftraceSource } from '../../src/sensor/index.ts';
import { eventSourceContract } from '../sensor/source-contract.ts';
import { docker, inLab, LAB_IMAGES, LAB_LABEL } from './lab.ts';

const bpftraces = () => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('bpftrace'));

eventSourceContract('Tenet\'s bpftrace sensors', async (t) => {
  if (!(await inLab(t))) return undefined;
  const id = docker('run', '-d', '--label', `${LAB_LABEL}=source-test`, LAB_IMAGES.busybox, 'sleep', '600');
  const cgroup = (await new DockerSource(async () => ({ executables: [] })).inspect(id))?.cgroupId;
  return {
    source: new BpftraceSource({ onDiagnostic: () => {} }),
    provoke: async () => void spawnSync('docker', ['exec', id, '/bin/true'], { stdio: 'ignore' }),
    provoked: (d) => 'record' in d && d.record.tag === 'exec' && d.record.cgroup === cgroup && d.record.path === '/bin/true',
    leftBehind: bpftraces,
    close: async () => void spawnSync('docker', ['rm', '-f', id], { stdio: 'ignore' }),
  };
}, 20_000);
