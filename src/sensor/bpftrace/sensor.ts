import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseSensorLine, type SensorRecord } from './parse.ts';

/** The probes, kept beside their parser: processes, network, DNS, files and capabilities. */
export const SENSOR_SCRIPT = fileURLToPath(new URL('./sensor.bt', import.meta.url));
/** Each new syscall of each container: run while models learn, and in samples. */
export const SYSCALL_SCRIPT = fileURLToPath(new URL('./syscalls.bt', import.meta.url));

/** The sensor's health, for status and metrics: nothing it could not see is hidden. */
export interface SensorStats {
  /** bpftrace runs with every probe attached. */
  running: boolean;
  /** Times bpftrace was started, and restarted after it stopped on its own. */
  starts: number;
  /** When its probes were last all attached (ms since the epoch), while it runs. */
  since?: number;
  restarts: number;
  lines: number;
  records: number;
  /** Lines that were not a record: counted, with the last reason. */
  garbage: number;
  lastGarbage?: string;
  /** Events the kernel could not hand to bpftrace (its ring buffer was full). */
  lost: number;
  lastExit?: string;
  lastTickAt?: number;
}

export interface SensorOptions {
  onRecord: (record: SensorRecord) => void;
  /** bpftrace's stderr and the supervisor's own notes. */
  onDiagnostic?: (line: string) => void;
  /** The bpftrace script (default: the sensor's). */
  script?: string;
  /** The command to run (default: bpftrace with the script); a test may run another. */
  command?: { file: string; args: string[] };
  /** The host's pid namespace inode: processes outside it are containers' (default: this process's own). */
  hostPidNamespace?: number;
  backoffMs?: { initial: number; max: number };
}

/** Runs a child so that it is killed when this process dies, however it dies (SIGKILL included): no sensor or guard outlives its defender. */
export function diesWithParent(file: string, args: readonly string[]): { file: string; args: string[] } {
  return existsSync('/usr/bin/setpriv') ? { file: '/usr/bin/setpriv', args: ['--pdeathsig', 'KILL', file, ...args] } : { file, args: [...args] };
}

/** Lines bpftrace always prints on these kernels that say nothing wrong. */
const HARMLESS = /RLIMIT_MEMLOCK|Addrspace mismatch|comparison of integers of different signs|^\s*$/;

/**
 * Which lines of bpftrace's standard error are worth saying: not its harmless
 * notes, nor the two lines that follow each warning (the script's line, and
 * the marks under the place it means).
 */
export function stderrFilter(): (line: string) => boolean {
  let context = 0;
  return (line) => {
    if (context > 0) {
      context--;
      return false;
    }
    if (!HARMLESS.test(line)) return true;
    if (/: WARNING: /.test(line)) context = 2;
    return false;
  };
}

export function hostPidNamespace(): number {
  const link = readlinkSync('/proc/self/ns/pid');
  const inode = /\[(\d+)\]/.exec(link)?.[1];
  if (inode === undefined) throw new Error(`cannot read this process's pid namespace (${link})`);
  return Number(inode);
}

/**
 * bpftrace running the sensor script as a supervised child: its records go to
 * `onRecord`, its stderr to diagnostics; when it stops on its own it is started
 * again after a back-off that doubles up to a bound (and resets once it ran a
 * minute). Garbage lines and lost events are counted, never fatal.
 */
export class BpftraceSensor {
  readonly stats: SensorStats = { running: false, starts: 0, restarts: 0, lines: 0, records: 0, garbage: 0, lost: 0 };
  private child: ChildProcess | undefined;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private backoff: number;
  private readonly options: SensorOptions;
  private readyWaiters: Array<() => void> = [];

  constructor(options: SensorOptions) {
    this.options = options;
    this.backoff = options.backoffMs?.initial ?? 1000;
  }

  /** Starts the sensor; resolves once its probes are attached (or rejects after `timeoutMs`). */
  start(timeoutMs = 60_000): Promise<void> {
    this.stopping = false;
    const ready = this.ready(timeoutMs);
    this.launch();
    return ready;
  }

  ready(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the sensor did not start within ${timeoutMs} ms${this.stats.lastExit ? `: ${this.stats.lastExit}` : ''}`)), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private launch(): void {
    const command = this.options.command ?? diesWithParent('bpftrace', ['-f', 'json', this.options.script ?? SENSOR_SCRIPT, String(this.options.hostPidNamespace ?? hostPidNamespace())]);
    const startedAt = Date.now();
    const child = spawn(command.file, command.args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // room for what the sensor remembers, and for bursts (10,000 new files in a second) without losing events
      env: { ...process.env, BPFTRACE_MAP_KEYS_MAX: '65536', BPFTRACE_PERF_RB_PAGES: '1024' },
    });
    this.child = child;
    this.stats.starts++;
    createInterface({ input: child.stdout! }).on('line', (line) => this.line(line));
    const worthSaying = stderrFilter();
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (worthSaying(line)) this.options.onDiagnostic?.(`bpftrace: ${line}`);
    });
    child.on('error', (e) => this.options.onDiagnostic?.(`cannot run ${command.file}: ${e.message}`));
    child.on('close', (code, signal) => {
      this.stats.running = false;
      this.stats.lastExit = signal !== null ? `stopped by ${signal}` : `exited with code ${code}`;
      if (this.child === child) this.child = undefined;
      if (this.stopping) return;
      if (Date.now() - startedAt > 60_000) this.backoff = this.options.backoffMs?.initial ?? 1000;
      this.options.onDiagnostic?.(`sensor ${this.stats.lastExit}; starting it again in ${this.backoff} ms`);
      this.timer = setTimeout(() => {
        this.stats.restarts++;
        this.launch();
      }, this.backoff);
      this.backoff = Math.min(this.backoff * 2, this.options.backoffMs?.max ?? 30_000);
    });
  }

  private line(line: string): void {
    this.stats.lines++;
    const parsed = parseSensorLine(line);
    if ('record' in parsed) {
      this.stats.records++;
      this.options.onRecord(parsed.record);
    } else if ('tick' in parsed) {
      this.stats.lastTickAt = Date.now();
    } else if ('ready' in parsed) {
      this.stats.running = true;
      this.stats.since = Date.now();
      for (const waiter of this.readyWaiters.splice(0)) waiter();
    } else if ('lost' in parsed) {
      this.stats.lost += parsed.lost;
    } else {
      this.stats.garbage++;
      this.stats.lastGarbage = parsed.garbage;
    }
  }

  /** Stops bpftrace (SIGINT, then SIGKILL after `graceMs`) and does not start it again. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await closed;
    clearTimeout(killer);
  }
}
