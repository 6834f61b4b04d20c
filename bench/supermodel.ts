// bench/supermodel: the time to rebuild the supermodel of one application of
// 200 services and 2,000 edges from 1,000,000 flow records, and the memory the
// graph holds. Each service runs 2 replicas, each with its address; flows go
// between them on the edges' ports, 10% leave the application (the internet,
// another application). The baseline, in the same run with interleaved rounds,
// is the least such a rebuild costs: counting the flows in a Map keyed by the
// container and the address, with no resolution of either.
import { FlowGraph, type Endpoint, type Flow } from '../src/supermodel/index.ts';
import { interleaved, seededRandom } from './measure.ts';

const SERVICES = 200;
const EDGES = 2_000;
const FLOWS = 1_000_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TARGET_SECONDS = 2;
const T0 = Date.parse('2026-11-30T00:00:00Z');

const random = seededRandom(9);
const pick = (n: number) => Math.floor(random() * n);
const endpoints: Endpoint[] = [];
for (let s = 0; s < SERVICES; s++) {
  for (let r = 0; r < 2; r++) {
    const i = s * 2 + r;
    endpoints.push({ container: `c${i}`, node: `shop/svc-${s}`, app: 'shop', model: `sha256:${s}`, addresses: [{ address: `10.1.${i >> 8}.${i & 255}`, from: T0 }] });
  }
}
endpoints.push({ container: 'other', node: 'billing/db', app: 'billing', addresses: [{ address: '10.2.0.2', from: T0 }] });
const edges = new Map<string, [number, number, number]>();
while (edges.size < EDGES) {
  const from = pick(SERVICES);
  const to = pick(SERVICES);
  if (from !== to) edges.set(`${from}>${to}`, [from, to, 3000 + (to % 50)]);
}
const edgeList = [...edges.values()];
const flows: Flow[] = [];
for (let i = 0; i < FLOWS; i++) {
  const [from, to, port] = edgeList[pick(edgeList.length)]!;
  const container = `c${from * 2 + pick(2)}`;
  const out = random() < 0.1;
  const target = to * 2 + pick(2);
  flows.push({
    time: T0 + i,
    container,
    address: out ? (random() < 0.5 ? `203.0.${pick(4)}.${pick(256)}` : '10.2.0.2') : `10.1.${target >> 8}.${target & 255}`,
    port: out ? 443 : port,
    protocol: 'tcp',
  });
}

let graph!: FlowGraph;
const rebuild = () => {
  graph = new FlowGraph();
  for (const e of endpoints) graph.addEndpoint(e);
  for (const f of flows) graph.addFlow(f);
  graph.supermodels();
};
let counted = 0;
const baseline = () => {
  const counts = new Map<string, number>();
  for (const f of flows) {
    const key = `${f.container}\0${f.address}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  counted = counts.size;
};

const { ours, baseline: base } = interleaved(ROUNDS, rebuild, baseline);
global.gc?.();
const before = process.memoryUsage().heapUsed;
rebuild();
const [shop] = graph.supermodels().filter((s) => s.app === 'shop');
const memoryMiB = (process.memoryUsage().heapUsed - before) / 1048576;
if (shop!.edges.length !== EDGES || counted === 0) throw new Error(`the graph has ${shop!.edges.length} edges, not ${EDGES}`);
console.log(`bench/supermodel: ${SERVICES} services (${endpoints.length - 1} containers), ${EDGES} edges, ${FLOWS.toLocaleString('en')} flow records, median of ${ROUNDS} interleaved rounds`);
console.log(`  rebuild: ${ours.toFixed(3)} s (${Math.round(FLOWS / ours).toLocaleString('en')} flows/s); baseline (count by container and address): ${base.toFixed(3)} s; ratio ${(ours / base).toFixed(2)}×`);
console.log(`  graph: ${shop!.nodes.length} nodes, ${shop!.edges.length} edges, ${shop!.outside?.length ?? 0} outside flows; heap after a rebuild ${memoryMiB >= 0 ? memoryMiB.toFixed(1) : '<0 (collected)'} MiB${global.gc === undefined ? ' (run with --expose-gc for a steady figure)' : ''}`);
console.log(`  target < ${TARGET_SECONDS} s: ${ours < TARGET_SECONDS ? 'met' : 'NOT met'}`);
if (ours >= TARGET_SECONDS) process.exitCode = 1;
