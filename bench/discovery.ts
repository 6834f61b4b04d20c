// bench/discovery: how soon the defender knows a pod's container on a
// Kubernetes node. 50 pods started one after another through CRI on the lab's
// containerd by the test kubelet, while a defender (in this process, its
// containers from CriSource, no sensor) follows the runtime; for each, the time
// from StartContainer returning until the defender tracks the container with
// its cgroup. Prints p50 and p99; target p99 ≤ 1 s. Needs the lab (root, `npm
// run lab:up`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CRI_SOCKET, criImageRef } from '../lab/node.ts';
import { LAB_IMAGES } from '../lab/lab.ts';
import { Defender } from '../src/defender/index.ts';
import { dryEnforcers } from '../src/enforce/index.ts';
import { CriSource, procHost } from '../src/runtime/index.ts';
import { SqliteStore } from '../src/store/index.ts';
import { TestKubelet, type RunningPod } from '../test/lab/kubelet.ts';
import { requireLab } from './lab.ts';

const PODS = Number(process.env.BENCH_PODS ?? 50);
const TARGET_P99_MS = 1_000;

await requireLab('bench/discovery');
const dir = mkdtempSync(join(tmpdir(), 'tenet-bench-discovery-'));
const store = new SqliteStore(dir);
const source = new CriSource(CRI_SOCKET, async () => ({ executables: [] }));
/** When the defender tracked each container with its cgroup, by the pod's name. */
const tracked = new Map<string, number>();
const defender = new Defender({
  store, learnForSec: 3600, containers: source, sensors: [], enforcers: dryEnforcers(), host: procHost(), analyseImages: false,
  onLog: (line) => {
    // `container POD/CONTAINER (IMAGE): model … learning`, said once the container is tied to its cgroup
    const name = /^container (\S+)\/\S+ \(/.exec(line)?.[1];
    if (name !== undefined && !tracked.has(name)) tracked.set(name, performance.now());
  },
});
const kubelet = new TestKubelet(CRI_SOCKET);
const pods: RunningPod[] = [];
const latencies: number[] = [];
try {
  await defender.start();
  for (let i = 0; i < PODS; i++) {
    const name = `bench-${process.pid}-${i}`;
    const pod = await kubelet.run({ namespace: 'bench', name, containers: [{ name: 'sleeper', image: criImageRef(LAB_IMAGES.busybox), command: ['sleep', '600'] }] });
    const started = performance.now();
    pods.push(pod);
    const deadline = started + 10_000;
    while (!tracked.has(name) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const at = tracked.get(name);
    if (at === undefined) throw new Error(`${name}: not tracked within 10 s`);
    latencies.push(Math.max(0, at - started));
  }
} finally {
  await defender.stop().catch((e: Error) => console.error(`defender: ${e.message}`));
  for (const pod of pods) await kubelet.remove(pod).catch(() => undefined);
  kubelet.close();
  source.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

const sorted = [...latencies].sort((a, b) => a - b);
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
console.log(`bench/discovery: ${PODS} pods started through CRI on the lab's containerd, one after another; the defender follows it by listing every 250 ms`);
console.log(`  StartContainer returned → tracked with its cgroup: p50 ${Math.round(at(0.5))} ms, p99 ${Math.round(at(0.99))} ms, max ${Math.round(sorted.at(-1)!)} ms`);
console.log(`  target p99 ≤ ${TARGET_P99_MS} ms: ${at(0.99) <= TARGET_P99_MS ? 'met' : 'NOT met'}`);
if (at(0.99) > TARGET_P99_MS) process.exitCode = 1;
