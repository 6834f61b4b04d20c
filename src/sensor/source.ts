import type { RuntimeEvent } from '../model/index.ts';
import type { SensorRecord } from './bpftrace/parse.ts';
import type { SensorStats } from './bpftrace/sensor.ts';
import type { IngestCounts } from './ingest.ts';

/** Where an event source delivers. */
export interface EventSink {
  /** A record of the kernel sensor, tied to its container by cgroup; `at`: when it came (ms since the epoch; default now). */
  record(record: SensorRecord, at?: number): void;
  /** Another tool's event, about a container by its id; false when it is about no container this defender follows. */
  event(event: RuntimeEvent, at?: number): boolean;
}

/** What a source says of itself in the defender's status. */
export interface SourceStatus {
  sensor?: Partial<SensorStats> & { running: boolean; reason?: string };
  /** The syscall sensor: `wanted` while a model learns or a sample runs. */
  syscallSensor?: SensorStats & { wanted: boolean };
  /** Other tools' output read with `--ingest`. */
  ingested?: IngestCounts;
}

/** A source that can watch every syscall too (the most expensive thing a sensor does), when asked. */
export interface SyscallWatch {
  want(on: boolean): void;
  readonly wanted: boolean;
  /** Since when syscalls have been watched without a break (ms since the epoch), while they are. */
  since(): number | undefined;
}

/**
 * Where the defender's events come from: Tenet's bpftrace sensors, other
 * tools' output (Falco, Tetragon, Tracee), or a replay of a recording.
 */
export interface EventSource {
  readonly name: string;
  /** Starts delivering to `sink`; resolves once it does (the probes attached). */
  start(sink: EventSink): Promise<void>;
  stop(): Promise<void>;
  /** Whether it sees what it should now: a model's learning clock runs only while every source does. */
  watching(): boolean;
  status(): SourceStatus;
  readonly syscalls?: SyscallWatch;
}
