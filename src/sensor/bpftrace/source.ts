import type { EventSink, EventSource, SourceStatus, SyscallWatch } from '../source.ts';
import type { SensorRecord } from './parse.ts';
import { BpftraceSensor, SYSCALL_SCRIPT, type SensorOptions } from './sensor.ts';

/** How long syscall records wait before they are delivered: the other sensor's exec of the same process comes first. */
const SYSCALLS_HELD_MS = 250;

export interface BpftraceSourceOptions {
  onDiagnostic: (line: string) => void;
  /** The commands to run instead of bpftrace (a test's). */
  sensorCommand?: SensorOptions['command'];
  syscallCommand?: SensorOptions['command'];
}

/**
 * Tenet's own sensors: bpftrace running the sensor script (processes,
 * network, DNS, files, capabilities), and a second bpftrace on every syscall,
 * run while it is wanted. Each is supervised (started again when it stops).
 * A sensor that cannot start is said in the status; the defender goes on.
 */
export class BpftraceSource implements EventSource, SyscallWatch {
  readonly name = 'bpftrace';
  private sensor: BpftraceSensor | undefined;
  private syscallSensor: BpftraceSensor | undefined;
  private reason: string | undefined;
  private syscallsWanted = true;
  private held: SensorRecord[] = [];
  private flush: NodeJS.Timeout | undefined;
  private readonly options: BpftraceSourceOptions;

  constructor(options: BpftraceSourceOptions) {
    this.options = options;
  }

  get syscalls(): SyscallWatch {
    return this;
  }

  get wanted(): boolean {
    return this.syscallsWanted;
  }

  since(): number | undefined {
    return this.syscallSensor?.stats.running === true ? this.syscallSensor.stats.since : undefined;
  }

  async start(sink: EventSink): Promise<void> {
    const log = this.options.onDiagnostic;
    this.sensor = new BpftraceSensor({ onRecord: (r) => sink.record(r), onDiagnostic: log, ...(this.options.sensorCommand !== undefined && { command: this.options.sensorCommand }) });
    this.syscallSensor = new BpftraceSensor({
      script: SYSCALL_SCRIPT,
      onRecord: (r) => this.held.push(r),
      onDiagnostic: (line) => log(`syscalls: ${line}`),
      ...(this.options.syscallCommand !== undefined && { command: this.options.syscallCommand }),
    });
    this.flush = setInterval(() => {
      for (const record of this.held.splice(0)) sink.record(record);
    }, SYSCALLS_HELD_MS);
    // both attach at once: containers found running are learning or sampled from the first second
    const syscalls = this.syscallSensor.start().catch((e: Error) => log(`syscalls: ${e.message}`));
    try {
      await this.sensor.start();
    } catch (e) {
      this.reason = (e as Error).message;
      log(`sensor: ${this.reason}`);
    }
    await syscalls;
  }

  want(on: boolean): void {
    if (on === this.syscallsWanted || this.syscallSensor === undefined) return;
    this.syscallsWanted = on;
    const log = this.options.onDiagnostic;
    if (on) this.syscallSensor.start().catch((e: Error) => log(`syscalls: ${e.message}`));
    else this.syscallSensor.stop().catch((e: Error) => log(`syscalls: ${e.message}`));
  }

  watching(): boolean {
    return this.sensor?.stats.running === true && (this.syscallSensor?.stats.running === true || !this.syscallsWanted);
  }

  status(): SourceStatus {
    const stats = this.sensor?.stats;
    return {
      sensor: stats === undefined ? { running: false, reason: 'not started' } : { ...stats, ...(this.reason !== undefined && { reason: this.reason }) },
      ...(this.syscallSensor !== undefined && { syscallSensor: { ...this.syscallSensor.stats, wanted: this.syscallsWanted } }),
    };
  }

  async stop(): Promise<void> {
    clearInterval(this.flush);
    this.held = [];
    await Promise.allSettled([this.sensor?.stop(), this.syscallSensor?.stop()]);
  }
}
