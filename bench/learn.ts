// bench/learn: events per second through learning and detection on one core,
// with 1,000 active models (each seeded like a real image's: processes, ports,
// peers, names, paths, ~80 syscalls) and a realistic mix of events (mostly
// syscalls and file writes, some execs and connects, 1% deviations that become
// audits). The baseline, measured in the same run with interleaved rounds, is
// the least any detector must do per event: find the container's allow-list and
// look the event's key up in a Set.
import { interleaved, seededRandom } from './measure.ts';
import { deviationAudit } from '../src/detect/index.ts';
import { Learner, entryOf } from '../src/learn/index.ts';
import { emptyModel, type IntentModel, type RuntimeEvent } from '../src/model/index.ts';

const MODELS = 1000;
const CONTAINERS_PER_MODEL = 3;
const EVENTS = 1_000_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TARGET = 1_000_000;

const SYSCALLS = ['read', 'write', 'openat', 'close', 'fstat', 'mmap', 'mprotect', 'munmap', 'brk', 'rt_sigaction', 'rt_sigprocmask', 'ioctl', 'pread64',
  'writev', 'access', 'pipe2', 'select', 'sched_yield', 'madvise', 'dup', 'nanosleep', 'getpid', 'sendfile', 'socket', 'connect', 'accept4',
  'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'shutdown', 'bind', 'listen', 'getsockname', 'getpeername', 'setsockopt', 'getsockopt', 'clone3',
  'execve', 'exit_group', 'wait4', 'kill', 'uname', 'fcntl', 'flock', 'fsync', 'getdents64', 'getcwd', 'chdir', 'rename', 'mkdir', 'unlink',
  'readlink', 'chmod', 'umask', 'gettimeofday', 'getrlimit', 'getuid', 'getgid', 'geteuid', 'getegid', 'setuid', 'setgid', 'getppid',
  'prctl', 'arch_prctl', 'futex', 'set_tid_address', 'epoll_wait', 'epoll_ctl', 'epoll_create1', 'eventfd2', 'clock_gettime', 'newfstatat',
  'set_robust_list', 'prlimit64', 'getrandom', 'rseq', 'statx', 'faccessat2'];

function seedModel(i: number): IntentModel {
  const model = emptyModel(`sha256:${i.toString(16).padStart(64, '0')}`);
  const src = [{ kind: 'image' as const }];
  model.processes.push({ path: '/usr/sbin/nginx', sources: src }, { path: '/usr/bin/sh', sources: src }, { path: `/opt/app${i}/bin/server`, sources: src });
  model.network.listen.push({ port: 80, protocol: 'tcp', sources: src }, { port: 8000 + (i % 100), protocol: 'tcp', sources: src });
  for (let p = 0; p < 5; p++) model.network.egress.push({ host: `10.${i % 250}.0.${p}`, port: 5432 + p, protocol: 'tcp', sources: src });
  model.network.dns.push({ name: `db${i}.internal`, sources: src }, { name: '*.svc.cluster.local', sources: src });
  model.filesystem.writable.push({ path: '/var/log/nginx', sources: src }, { path: '/tmp', sources: src });
  model.syscalls.allow.push(...SYSCALLS);
  return model;
}

/** A deterministic stream: mostly allowed behaviour, 1% outside the model. */
function events(): Array<{ event: RuntimeEvent; container: string }> {
  const out: Array<{ event: RuntimeEvent; container: string }> = [];
  const random = seededRandom(42);
  const time = '2026-01-01T00:00:00.000Z';
  for (let n = 0; n < EVENTS; n++) {
    const m = Math.floor(random() * MODELS);
    const container = `c${m}-${Math.floor(random() * CONTAINERS_PER_MODEL)}`;
    const bad = random() < 0.01;
    const r = random();
    const process = { pid: 1000 + m, path: '/usr/sbin/nginx' };
    let event: RuntimeEvent;
    if (r < 0.6) event = { kind: 'syscall', time, source: 'tenet', process, syscall: bad ? 'ptrace' : SYSCALLS[Math.floor(random() * SYSCALLS.length)]! };
    else if (r < 0.8) event = { kind: 'write', time, source: 'tenet', process, file: { path: bad ? '/etc/passwd' : `/tmp/upload-${n}.tmp` } };
    else if (r < 0.88) event = { kind: 'exec', time, source: 'tenet', process: { pid: 2000 + n, path: bad ? '/tmp/x' : '/usr/bin/sh' } };
    else if (r < 0.96) event = { kind: 'connect', time, source: 'tenet', process, network: { protocol: 'tcp', remoteAddress: bad ? '203.0.113.7' : `10.${m % 250}.0.${n % 5}`, remotePort: bad ? 4444 : 5432 + (n % 5) } };
    else event = { kind: 'dns', time, source: 'tenet', process, dns: { names: [bad ? 'pool.miner.example' : `db${m}.internal`] } };
    out.push({ event, container });
  }
  return out;
}

const learner = new Learner({ windowSec: 0 });
const now = Date.parse('2026-01-01T00:00:00Z');
for (let i = 0; i < MODELS; i++) {
  for (let c = 0; c < CONTAINERS_PER_MODEL; c++) learner.attach({ id: `c${i}-${c}`, imageId: seedModel(i).id, repository: `app${i}` }, now, seedModel(i));
}
const stream = events();

// The baseline: each container's allow-list as one Set of precomputed keys.
const allowLists = new Map<string, Set<string>>();
for (let i = 0; i < MODELS; i++) {
  const keys = new Set<string>([...SYSCALLS, '/usr/sbin/nginx', '/usr/bin/sh']);
  for (let c = 0; c < CONTAINERS_PER_MODEL; c++) allowLists.set(`c${i}-${c}`, keys);
}
const keys = stream.map(({ event }) => entryOf(event)?.entry ?? '');

let audits = 0;
const tenet = () => {
  audits = 0;
  for (let i = 0; i < stream.length; i++) {
    const { event, container } = stream[i]!;
    const verdict = learner.observe(event, container, now);
    if (verdict?.outcome === 'deviation') {
      deviationAudit(event, verdict.dimension, verdict.entry, { id: String(i), model: container });
      audits++;
    }
  }
};
let misses = 0;
const baseline = () => {
  misses = 0;
  for (let i = 0; i < stream.length; i++) if (!allowLists.get(stream[i]!.container)!.has(keys[i]!)) misses++;
};

const measured = interleaved(ROUNDS, tenet, baseline);
const rate = EVENTS / measured.ours;
const baseRate = EVENTS / measured.baseline;
console.log(`bench/learn: ${MODELS} active models, ${MODELS * CONTAINERS_PER_MODEL} containers, ${EVENTS.toLocaleString('en')} events, medians of ${ROUNDS} interleaved rounds`);
console.log(`  learning + detection  ${Math.round(rate).toLocaleString('en')} events/s (${audits} audits)`);
console.log(`  baseline (Set lookup) ${Math.round(baseRate).toLocaleString('en')} events/s`);
console.log(`  ratio ${(baseRate / rate).toFixed(2)}x the baseline's time; target ≥ ${TARGET.toLocaleString('en')} events/s: ${rate >= TARGET ? 'met' : 'NOT met'}`);
void misses;
if (rate < TARGET) process.exitCode = 1;
