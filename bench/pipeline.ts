// bench/pipeline: records per second through everything in the defender after
// the kernel, on one core: the sensor's lines parsed, each record tied to its
// container by cgroup, made an event with its process, judged (known-bad
// rules, threat intelligence, the model, the graph), learned, and every
// event, audit, model and graph written to a real SQLite store. The stream is
// the lab's recording (the shop learned under load, then attacked: lab/record.ts),
// grown to over a million records by replaying it with renamed containers
// (new ids, cgroups and pids; the same images, so the same models), the clock
// moving a quarter second every few thousand records so that the models learn,
// then turn active. Printed beside bench/detect's in-memory figure, measured in
// the same run, and the ratio between them: what the path outside detection costs.
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
const copies = Math.ceil(TARGET_RECORDS / records.length);

/** Copy `k` of the recording: its containers renamed (id, name, cgroup), its pids moved, as lines of the sensor. */
function copyOf(k: number): { containers: ContainerInfo[]; lines: string[] } {
  const cgroup = (c: string) => String(BigInt(c) + BigInt(k) * 1_000_000n);
  const containers = started.map((c) => ({ ...c, id: `${c.id.slice(0, 56)}${k.toString(16).padStart(8, '0')}`, name: `${c.name}-${k}`, ...(c.cgroupId !== undefined && { cgroupId: cgroup(c.cgroupId) }) }));
  const lines = records.map((r) => formatSensorLine({ ...r, cgroup: cgroup(r.cgroup), pid: r.pid + k * 100_000, ...(r.tag === 'exec' && { ppid: r.ppid + k * 100_000 }) } as SensorRecord));
  return { containers, lines };
}

const all = Array.from({ length: copies }, (_, k) => copyOf(k));
const lines = all.flatMap((c) => c.lines);
const containers = all.flatMap((c) => c.containers);
const nothing: Host = { exe: () => undefined, process: (pid) => ({ pid }), pids: () => [], listening: () => [], cgroupId: () => undefined, inUpperDir: () => false };

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
async function round(): Promise<{ seconds: number; events: number; audits: number; stored: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tenet-bench-pipeline-'));
  const store = new SqliteStore(dir);
  const clock = new ManualClock(replay.start);
  const source = new Lines();
  const defender = new Defender({
    store, learnForSec: replay.learnForSec, containers: new MemoryContainers(containers, images), sensors: [source], enforcers: dryEnforcers(), host: nothing, clock,
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
  const stored = (await store.status('defender'))?.value as { counts: { events: number; audits: number } } | undefined;
  const result = { seconds, events: defender.counts.events, audits: defender.counts.audits, stored: stored?.counts.events ?? 0 };
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return result;
}

const runs = [];
for (let r = 0; r < ROUNDS; r++) runs.push(await round());
const seconds = median(runs.map((r) => r.seconds));
const rate = lines.length / seconds;
const detect = measureDetect(ROUNDS);
console.log(`bench/pipeline: ${lines.length.toLocaleString('en')} records (the lab's recording of ${records.length} records, ${copies} times with renamed containers: ${containers.length} containers), median of ${ROUNDS} rounds`);
console.log(`  parse + container + event + judge + learning + SQLite  ${Math.round(rate).toLocaleString('en')} records/s (${runs[0]!.events.toLocaleString('en')} events, ${runs[0]!.audits} audits a round)`);
console.log(`  bench/detect, in memory, this run                       ${Math.round(detect.rate).toLocaleString('en')} events/s`);
console.log(`  ratio ${(detect.rate / rate).toFixed(2)}x bench/detect's time per record; target ≥ ${TARGET.toLocaleString('en')} records/s: ${rate >= TARGET ? 'met' : 'NOT met'}`);
if (rate < TARGET) process.exitCode = 1;
