import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execGuardScript, type GuardTarget } from '../enforce/index.ts';
import { BpftraceSensor, type SensorRecord } from '../sensor/index.ts';

/**
 * The exec guard as the defender runs it: a supervised `bpftrace --unsafe`
 * with the allow-lists of the containers whose processes are prevented. A
 * change of targets starts the new program and stops the old one once the new
 * one is attached, so no moment is unguarded.
 */
export class ExecGuard {
  private sensor: BpftraceSensor | undefined;
  private script: string | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'tenet-guard-'));
  private generation = 0;
  private guarded = new Set<string>();
  /** When the running program last took a change, and how long that took. */
  lastUpdateMs: number | undefined;
  private readonly onRecord: (record: SensorRecord) => void;
  private readonly onDiagnostic: (line: string) => void;

  constructor(onRecord: (record: SensorRecord) => void, onDiagnostic: (line: string) => void) {
    this.onRecord = onRecord;
    this.onDiagnostic = onDiagnostic;
  }

  /** Whether the running guard kills what a container's model does not allow. */
  covers(cgroup: string): boolean {
    return this.sensor?.stats.running === true && this.guarded.has(cgroup);
  }

  /** What `tenet status` says of the guard. */
  get status(): { running: boolean; containers: number; restarts: number; lastUpdateMs?: number } {
    return {
      running: this.sensor?.stats.running === true,
      containers: this.guarded.size,
      restarts: this.sensor?.stats.restarts ?? 0,
      ...(this.lastUpdateMs !== undefined && { lastUpdateMs: this.lastUpdateMs }),
    };
  }

  private queue: Promise<void> = Promise.resolve();

  /** Guards exactly these containers from now on (none: the guard stops). Changes are taken one at a time. */
  update(targets: readonly GuardTarget[]): Promise<void> {
    this.queue = this.queue.then(() => this.apply(targets)).catch((e: Error) => {
      this.script = undefined; // tried again at the next change
      this.onDiagnostic(`guard: ${e.message}`);
    });
    return this.queue;
  }

  private async apply(targets: readonly GuardTarget[]): Promise<void> {
    const script = execGuardScript(targets);
    if (script === this.script) return;
    this.script = script;
    const old = this.sensor;
    const started = Date.now();
    if (script === undefined) {
      this.sensor = undefined;
      this.guarded = new Set();
      await old?.stop();
      return;
    }
    const file = join(this.dir, `guard-${++this.generation}.bt`);
    writeFileSync(file, script);
    const sensor = new BpftraceSensor({
      onRecord: this.onRecord,
      onDiagnostic: (line) => this.onDiagnostic(`guard: ${line}`),
      command: { file: 'bpftrace', args: ['--unsafe', '-f', 'json', file] },
    });
    try {
      await sensor.start();
    } catch (e) {
      await sensor.stop();
      throw e;
    }
    this.sensor = sensor;
    this.guarded = new Set(targets.map((t) => t.cgroup));
    this.lastUpdateMs = Date.now() - started;
    await old?.stop();
  }

  async stop(): Promise<void> {
    await this.queue;
    this.script = undefined;
    await this.sensor?.stop();
    this.sensor = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
