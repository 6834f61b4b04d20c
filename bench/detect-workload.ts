// What bench/detect measures, as a function: bench/pipeline prints the same
// figure beside its own, measured in the same run.
import { IncidentBuilder, KnownBad } from '../src/detect/index.ts';
import { IntelIndex, type Indicator } from '../src/intel/index.ts';
import { Learner } from '../src/learn/index.ts';
import { emptyModel, type RuntimeEvent } from '../src/model/index.ts';
import { interleaved, seededRandom } from './measure.ts';

/** The figures of one run: events per second through everything, and through the model check alone. */
export interface DetectFigures {
  models: number;
  indicators: number;
  events: number;
  rate: number;
  baseline: number;
  audits: number;
}

/** Builds the workload (1,000 models, 100,000 indicators, a million events) and measures it, `rounds` interleaved rounds. */
export function measureDetect(rounds: number): DetectFigures {
  const MODELS = 1000;
  const EVENTS = 1_000_000;
  const random = seededRandom(11);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const SYSCALLS = ['read', 'write', 'openat', 'close', 'fstat', 'mmap', 'epoll_wait', 'accept4', 'recvfrom', 'sendto', 'writev', 'futex', 'clock_gettime'];

  const learner = new Learner({ windowSec: 0 });
  const now = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < MODELS; i++) {
    const model = emptyModel(`sha256:${i.toString(16).padStart(64, '0')}`);
    const src = [{ kind: 'image' as const }];
    model.processes.push({ path: '/usr/sbin/nginx', sources: src }, { path: '/usr/bin/sh', sources: src });
    model.network.listen.push({ port: 80, protocol: 'tcp', sources: src });
    for (let p = 0; p < 5; p++) model.network.egress.push({ host: `10.${i % 250}.0.${p}`, port: 5432, protocol: 'tcp', sources: src });
    model.network.dns.push({ name: `db${i}.internal`, sources: src });
    model.filesystem.writable.push({ path: '/tmp', sources: src });
    model.syscalls.allow.push(...SYSCALLS);
    learner.attach({ id: `c${i}`, imageId: model.id }, now, model);
  }
  const indicators: Indicator[] = Array.from({ length: 100_000 }, (_, i) => ({
    kind: 'ip' as const, value: [0, 0, 0, 0].map(() => Math.floor(random() * 256)).join('.'), provenance: { feed: `feed-${i % 10}`, format: 'list' as const },
  }));
  indicators.push({ kind: 'domain', value: 'evil.example', provenance: { feed: 'domains', format: 'list' } });
  const intel = new IntelIndex(indicators);

  const time = '2026-01-01T00:00:00.000Z';
  type Item = { event: RuntimeEvent; container: string };
  const lines: Item[] = [];
  for (let n = 0; n < EVENTS; n++) {
    const m = Math.floor(random() * MODELS);
    const bad = random() < 0.005;
    const r = random();
    const container = { id: `c${m}`, name: `web-${m}` };
    const process = { pid: 1000 + m, path: '/usr/sbin/nginx', name: 'nginx' };
    let event: RuntimeEvent;
    if (r < 0.6) event = { kind: 'syscall', time, source: 'tenet', container, process, syscall: bad ? 'mount' : pick(SYSCALLS) };
    else if (r < 0.8) event = { kind: 'write', time, source: 'tenet', container, process, file: { path: bad ? '/proc/sys/kernel/core_pattern' : `/tmp/upload-${n}.tmp` } };
    else if (r < 0.88) event = { kind: 'exec', time, source: 'tenet', container, process: { pid: 2000 + n, path: bad ? '/tmp/xmrig' : '/usr/bin/sh', argv: bad ? ['xmrig', '-o', 'stratum+tcp://p:3333'] : ['sh', '-c', 'true'], parent: { name: 'nginx' } } };
    else if (r < 0.96) event = { kind: 'connect', time, source: 'tenet', container, process, network: { protocol: 'tcp', remoteAddress: bad ? indicators[n % 1000]!.value : `10.${m % 250}.0.${n % 5}`, remotePort: 5432 } };
    else event = { kind: 'dns', time, source: 'tenet', container, process, dns: { names: [bad ? 'pool.evil.example' : `db${m}.internal`] } };
    lines.push({ event, container: `c${m}` });
  }
  /** The events as the sensor's lines, a read's worth (256) to a batch. */
  const BATCH = 256;
  const batches: string[] = [];
  for (let i = 0; i < lines.length; i += BATCH) batches.push(JSON.stringify(lines.slice(i, i + BATCH)));
  lines.length = 0;

  /** Seconds `check` takes over every event, each batch parsed (untimed) just before it is checked. */
  function timed(check: (batch: readonly Item[]) => void): () => number {
    return () => {
      let ns = 0n;
      for (const text of batches) {
        const batch = JSON.parse(text) as Item[];
        const start = process.hrtime.bigint();
        check(batch);
        ns += process.hrtime.bigint() - start;
      }
      return Number(ns) / 1e9;
    };
  }

  let audits = 0;
  const knownBad = new KnownBad();
  let ids = 0;
  let incidents = new IncidentBuilder(() => String(ids++));
  let event: RuntimeEvent;
  let container = 'c0';
  /** The model, asked for only when a rule or an audit needs it (the learner answers most events without it). */
  const model = () => learner.modelOf(container)!;
  const context = { ancestors: ['nginx'], knownProcess: () => event.process?.path !== undefined && model().allows('processes', event.process.path) };
  const auditContext = () => ({ id: String(ids++), model: model().id });
  const everything = timed((batch) => {
    for (let i = 0; i < batch.length; i++) {
      container = batch[i]!.container;
      event = batch[i]!.event;
      const found = knownBad.audits(event, context, auditContext);
      if (event.kind === 'connect') intel.lookup(event.network!.remoteAddress!);
      else if (event.kind === 'dns') intel.lookup(event.dns!.names[0]!);
      const verdict = learner.observe(event, container, now)!;
      audits += found.length + (verdict.outcome === 'deviation' ? 1 : 0);
      for (const a of found) incidents.add(a);
    }
  });
  const ours = () => {
    audits = 0;
    incidents = new IncidentBuilder(() => String(ids++));
    return everything();
  };
  const modelOnly = timed((batch) => {
    for (let i = 0; i < batch.length; i++) learner.observe(batch[i]!.event, batch[i]!.container, now);
  });

  const measured = interleaved(rounds, ours, modelOnly);
  return { models: MODELS, indicators: intel.size, events: EVENTS, rate: EVENTS / measured.ours, baseline: EVENTS / measured.baseline, audits };
}
