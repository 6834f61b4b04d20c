// bench/pipeline: records per second through everything in the defender after
// the kernel, on one core: the sensor's lines parsed (as bpftrace writes them),
// each record tied to its container by cgroup, made an event with its process,
// judged (known-bad rules, threat intelligence, the model, the graph), learned,
// and what tells something written to a real SQLite store (the events a model
// or graph learned from or that were judged, every audit, model, incident and
// graph: the defender's default, `--events novel`). The stream is the lab's
// recording (the shop learned under load, then attacked: lab/record.ts), grown
// to over a million records by playing it again and again in 16 renamed copies
// of its containers (new ids and cgroups, new pids each pass; the same images,
// so the same models), the clock moving a quarter second every 5,000 records
// so that the models learn, then turn active. One round stores every event
// (`--events all`), to show what the store costs then. Printed beside
// bench/detect's in-memory figure, measured in the same run, and the ratio
// between them: what the path outside detection costs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Defender, Replay } from '../src/defender/index.ts';
import { dryEnforcers } from '../src/enforce/index.ts';
import { ManualClock, MemoryContainers, type ContainerInfo, type Host, type ImageContents } from '../src/runtime/index.ts';
import { formatSensorLine, parseSensorLine, type EventSink, type EventSource, type SensorRecord } from '../src/sensor/index.ts';
import { SqliteStore } from '../src/store/index.ts';
import { measureDetect } from './detect-workload.ts';
import { median } from './measure.ts';

const RECORDING = new URL('../test/defender/recordings/shop.jsonl.gz', import.meta.url).pathname;
const TARGET_RECORDS = 1_000_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGET = 300_000;
/** Records between two quarter-second ticks of the defender's clock. */
const RECORDS_A_TICK = 5_000;

const replay = Replay.read(RECORDING);
const records = replay.entries.flatMap((e) => ('record' in e ? [e.record] : []));
const started = replay.entries.flatMap((e) => ('change' in e && e.change.action === 'start' ? [e.change.container] : []));
const images = replay.entries.flatMap((e) => ('image' in e && e.image.contents !== undefined ? [[e.image.id, e.image.contents] as [string, ImageContents]] : []));
const passes = Math.ceil(TARGET_RECORDS / records.length);
/** Renamed copies of the recording's containers: a busy node's worth (Kubernetes runs 110 pods a node by default). */
const SETS = 16;

/** Set `k` of the recording's containers, renamed (id, name, cgroup): a new cgroup id is a new container to the defender. */
const renamed = (k: number) => (c: ContainerInfo) => ({ ...c, id: `${c.id.slice(0, 56)}${k.toString(16).padStart(8, '0')}`, name: `${c.name}-${k}`, ...(c.cgroupId !== undefined && { cgroupId: cgroupOf(c.cgroupId, k) }) });
const cgroupOf = (cgroup: string, k: number) => String(BigInt(cgroup) + BigInt(k) * 1_000_000n);

/** Pass `p` of the recording as the sensor's lines: in the containers of set p mod SETS, by processes of their own (pids moved). */
function pass(p: number): string[] {
  const k = p % SETS;
  return records.map((r) => formatSensorLine({ ...r, cgroup: cgroupOf(r.cgroup, k), pid: r.pid + p * 100_000, ...(r.tag === 'exec' && { ppid: r.ppid + p * 100_000 }) } as SensorRecord));
}

const lines = Array.from({ length: passes }, (_, p) => pass(p)).flat();
const containers = Array.from({ length: SETS }, (_, k) => started.map(renamed(k))).flat();
const nothing: Host = { exe: () => undefined, process: (pid) => ({ pid }), pids: () => [], listening: () => [], cgroupId: () => undefined, inUpperDir: () => false, resolver: () => undefined };

/** The lines fed as bpftrace's output would be: parsed, then delivered. */
class Lines implements EventSource {
  readonly name = 'lines';
  sink: EventSink | undefined;
  async start(sink: EventSink): Promise<void> {
    this.sink = sink;
  }
  async stop(): Promise<void> {}
  watching(): boolean {
    return true;
  }
  status() {
    return {};
  }
}

/** One round: a new defender on a new store, every line through it; seconds taken, and what it counted. */
async function round(events: 'novel' | 'all'): Promise<{ seconds: number; events: number; audits: number; stored: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tenet-bench-pipeline-'));
  const store = new SqliteStore(dir);
  const clock = new ManualClock(replay.start);
  const source = new Lines();
  const defender = new Defender({
    store, events, learnForSec: replay.learnForSec, containers: new MemoryContainers(containers, images), sensors: [source], enforcers: dryEnforcers(), host: nothing, clock,
  });
  await defender.start();
  // the image reads the start began are done
  await new Promise((r) => setImmediate(r));
  const sink = source.sink!;
  const start = process.hrtime.bigint();
  for (let i = 0; i < lines.length; i++) {
    const parsed = parseSensorLine(lines[i]!);
    if ('record' in parsed) sink.record(parsed.record, clock.now());
    if (i % RECORDS_A_TICK === RECORDS_A_TICK - 1) await clock.advanceTo(clock.now() + 250);
  }
  await defender.stop();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const result = { seconds, events: defender.counts.events, audits: defender.counts.audits, stored: (await store.events({ limit: Number.MAX_SAFE_INTEGER })).length };
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return result;
}

const runs = [];
for (let r = 0; r < ROUNDS; r++) runs.push(await round('novel'));
const seconds = median(runs.map((r) => r.seconds));
const rate = lines.length / seconds;
// every event written, once: what the store costs when it keeps everything
const all = await round('all');
const detect = measureDetect(ROUNDS);
const n = (x: number) => Math.round(x).toLocaleString('en');
console.log(`bench/pipeline: ${n(lines.length)} records (the lab's recording of ${records.length} records played ${passes} times in ${SETS} renamed copies of its containers: ${containers.length} containers), median of ${ROUNDS} rounds`);
console.log(`  parse + container + event + judge + learning + SQLite  ${n(rate)} records/s (${n(runs[0]!.events)} events, ${n(runs[0]!.stored)} of them stored, ${n(runs[0]!.audits)} audits a round)`);
console.log(`  the same, storing every event (--events all), 1 round  ${n(lines.length / all.seconds)} records/s (${n(all.stored)} events stored)`);
console.log(`  bench/detect, in memory, this run                       ${n(detect.rate)} events/s`);
console.log(`  ratio ${(detect.rate / rate).toFixed(2)}x bench/detect's time per record; target ≥ ${n(TARGET)} records/s: ${rate >= TARGET ? 'met' : 'NOT met'}`);
if (rate < TARGET) process.exitCode = 1;
