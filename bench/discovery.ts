// bench/discovery: how soon the defender knows a pod's container on a
// Kubernetes node. 50 pods started one after another through CRI on the lab's
// containerd by the test kubelet, while a defender (in this process, its
// containers from CriSource, no sensor) follows the runtime; for each, the time
// from StartContainer returning until the defender tracks the container with
// its cgroup. Measured twice in one run: following by listing alone (the
// baseline: a runtime that serves no event stream), then by the runtime's
// event stream. Prints p50 and p99 of each and their ratio; target p99 ≤ 1 s.
// Needs the lab (root, `npm run lab:up`).
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

/** The latencies of PODS pods started one after another, the defender following the runtime through `source`. */
async function measure(source: CriSource): Promise<{ latencies: number[]; stream: string | undefined }> {
  const dir = mkdtempSync(join(tmpdir(), 'tenet-bench-discovery-'));
  const store = new SqliteStore(dir);
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
  let stream: string | undefined;
  try {
    await defender.start();
    for (let i = 0; i < PODS; i++) {
      const name = `bench-${process.pid}-${++started}`;
      const pod = await kubelet.run({ namespace: 'bench', name, containers: [{ name: 'sleeper', image: criImageRef(LAB_IMAGES.busybox), command: ['sleep', '600'] }] });
      const at = performance.now();
      pods.push(pod);
      const deadline = at + 10_000;
      while (!tracked.has(name) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      const seen = tracked.get(name);
      if (seen === undefined) throw new Error(`${name}: not tracked within 10 s`);
      latencies.push(Math.max(0, seen - at));
    }
    stream = source.stream;
  } finally {
    await defender.stop().catch((e: Error) => console.error(`defender: ${e.message}`));
    for (const pod of pods) await kubelet.remove(pod).catch(() => undefined);
    kubelet.close();
    source.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { latencies: latencies.sort((a, b) => a - b), stream };
}

let started = 0;
const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
const noImages = async () => ({ executables: [] });
// the baseline: listing alone, every 250 ms, as on a runtime that serves no event stream
const { latencies: listing } = await measure(new CriSource(CRI_SOCKET, noImages, { events: false }));
const { latencies: events, stream } = await measure(new CriSource(CRI_SOCKET, noImages));

console.log(`bench/discovery: ${PODS} pods started through CRI on the lab's containerd, one after another, twice: the defender following it by listing alone (every 250 ms), then by its event stream`);
const line = (name: string, l: readonly number[]) => `  ${name}: StartContainer returned → tracked with its cgroup: p50 ${Math.round(quantile(l, 0.5))} ms, p99 ${Math.round(quantile(l, 0.99))} ms, max ${Math.round(l.at(-1)!)} ms`;
console.log(line('listing alone', listing));
console.log(line(`event stream (${stream ?? 'none held'})`, events));
const ratio = (q: number) => (quantile(events, q) / Math.max(1, quantile(listing, q))).toFixed(2);
console.log(`  event stream / listing: p50 ×${ratio(0.5)}, p99 ×${ratio(0.99)}`);
const p99 = quantile(events, 0.99);
console.log(`  target p99 ≤ ${TARGET_P99_MS} ms: ${p99 <= TARGET_P99_MS ? 'met' : 'NOT met'}`);
if (p99 > TARGET_P99_MS) process.exitCode = 1;
