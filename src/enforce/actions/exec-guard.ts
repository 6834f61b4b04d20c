import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeEvent } from '../../model/index.ts';
import { BpftraceSensor, diesWithParent, type SensorRecord } from '../../sensor/index.ts';
import { execGuardScript, type GuardTarget } from '../generators/index.ts';
import type { Desired, EnforcedContainer, Enforcer } from './enforcer.ts';
import type { EnforcerStatus } from './status.ts';

/**
 * The exec guard: a supervised `bpftrace --unsafe` with the allow-lists of
 * the containers whose processes are prevented, killing a program a model
 * does not allow before its first instruction. A change of targets starts
 * the new program and stops the old one once the new one is attached, so no
 * moment is unguarded. The kill comes back as a `killed` record.
 */
export class ExecGuard implements Enforcer<readonly string[]> {
  readonly name = 'exec guard';
  private sensor: BpftraceSensor | undefined;
  private script: string | undefined;
  private key = '';
  private dir: string | undefined;
  private generation = 0;
  /** The guarded containers' cgroups, by container id. */
  private guarded = new Map<string, string>();
  /** How long the running program took to start. */
  private lastUpdateMs: number | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly onRecord: (record: SensorRecord) => void;
  private readonly onDiagnostic: (line: string) => void;

  constructor(onRecord: (record: SensorRecord) => void, onDiagnostic: (line: string) => void) {
    this.onRecord = onRecord;
    this.onDiagnostic = onDiagnostic;
  }

  get held(): number {
    return this.guarded.size;
  }

  stops(container: string, event: RuntimeEvent): 'later' | undefined {
    return event.kind === 'exec' && this.sensor?.stats.running === true && this.guarded.has(container) ? 'later' : undefined;
  }

  status(): EnforcerStatus {
    return {
      guard: {
        running: this.sensor?.stats.running === true,
        containers: this.guarded.size,
        restarts: this.sensor?.stats.restarts ?? 0,
        ...(this.lastUpdateMs !== undefined && { lastUpdateMs: this.lastUpdateMs }),
      },
    };
  }

  /** Guards exactly these containers from now on (none: the guard stops). Changes are taken one at a time; one that fails is tried again at the next. */
  apply(desired: ReadonlyMap<string, Desired<readonly string[]>>): Promise<void> {
    const guardable = [...desired.values()].filter((d) => d.container.cgroupId !== undefined);
    const key = guardable.map((d) => `${d.container.id}\0${d.container.cgroupId}\0${d.key}`).sort().join('\n');
    if (key === this.key) return this.queue;
    this.key = key;
    const targets = guardable.map((d) => ({ container: d.container, cgroup: d.container.cgroupId!, allowed: d.target() }));
    this.queue = this.queue.then(() => this.run(targets)).catch((e: Error) => {
      this.key = '';
      this.script = undefined;
      this.onDiagnostic(`guard: ${e.message}`);
    });
    return this.queue;
  }

  private async run(targets: ReadonlyArray<GuardTarget & { container: EnforcedContainer }>): Promise<void> {
    const script = execGuardScript(targets);
    if (script === this.script) {
      this.guarded = new Map(targets.map((t) => [t.container.id, t.cgroup]));
      return;
    }
    this.script = script;
    const old = this.sensor;
    const started = Date.now();
    if (script === undefined) {
      this.sensor = undefined;
      this.guarded = new Map();
      await old?.stop();
      return;
    }
    this.dir ??= mkdtempSync(join(tmpdir(), 'tenet-guard-'));
    const file = join(this.dir, `guard-${++this.generation}.bt`);
    writeFileSync(file, script);
    const sensor = new BpftraceSensor({
      onRecord: this.onRecord,
      onDiagnostic: (line) => this.onDiagnostic(`guard: ${line}`),
      command: diesWithParent('bpftrace', ['--unsafe', '-f', 'json', file]),
    });
    try {
      await sensor.start();
    } catch (e) {
      await sensor.stop();
      throw e;
    }
    this.sensor = sensor;
    this.guarded = new Map(targets.map((t) => [t.container.id, t.cgroup]));
    this.lastUpdateMs = Date.now() - started;
    await old?.stop();
  }

  async release(): Promise<void> {
    await this.queue;
    this.script = undefined;
    this.key = '';
    this.guarded = new Map();
    await this.sensor?.stop();
    this.sensor = undefined;
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
