import type { Audit, Incident, IntentModel, RuntimeEvent, Supermodel } from '../model/index.ts';
import type { DefenderStore, StoredContainer } from '../store/index.ts';

/** What the writer holds back when the store does not answer, at most; past it the oldest go, and are counted. */
export interface WriterLimits {
  events: number;
  audits: number;
}

export interface WriterCounts {
  /** Writes the store refused (each kind of record a tick is one write). */
  storeErrors: number;
  /** Events and audits dropped past the limits while the store did not answer. */
  storeDropped: number;
  lastStoreError?: string;
}

type ContainerWrite = { put: StoredContainer } | { remove: string };

/**
 * The defender's writes, gathered between ticks and written at each: events
 * and audits in order, the newest copy of each model, incident, container,
 * graph set and status. A write the store refuses keeps its records for the
 * next tick, so a store that fails for a while loses nothing (up to the
 * limits: past them the oldest events and audits go, counted).
 */
export class StoreWriter {
  readonly counts: WriterCounts = { storeErrors: 0, storeDropped: 0 };
  private events: Array<{ event: RuntimeEvent; container?: string }> = [];
  private audits: Audit[] = [];
  private readonly incidents = new Map<string, Incident>();
  private readonly models = new Map<string, () => IntentModel>();
  private readonly containers = new Map<string, ContainerWrite>();
  private graphs: (() => Supermodel[]) | undefined;
  private readonly statuses = new Map<string, unknown>();
  private readonly store: DefenderStore;
  private readonly limits: WriterLimits;
  private readonly log: (line: string) => void;
  /** The failure of each kind of write, said once until it is written again. */
  private readonly failing = new Map<string, string>();

  constructor(store: DefenderStore, log: (line: string) => void, limits: WriterLimits = { events: 200_000, audits: 100_000 }) {
    this.store = store;
    this.log = log;
    this.limits = limits;
  }

  /** Records waiting to be written. */
  get pending(): number {
    return this.events.length + this.audits.length + this.incidents.size + this.models.size + this.containers.size + this.statuses.size + (this.graphs === undefined ? 0 : 1);
  }

  event(event: RuntimeEvent, container?: string): void {
    this.events.push(container === undefined ? { event } : { event, container });
  }

  audit(audit: Audit): void {
    this.audits.push(audit);
  }

  incident(incident: Incident): void {
    this.incidents.set(incident.id, incident);
  }

  /** A model to write as it stands at the next write (`snapshot` is called then). */
  model(id: string, snapshot: () => IntentModel): void {
    this.models.set(id, snapshot);
  }

  container(container: StoredContainer): void {
    this.containers.set(container.id, { put: container });
  }

  removeContainer(id: string): void {
    this.containers.set(id, { remove: id });
  }

  /** The applications' graphs, as they stand at the next write. */
  supermodels(graphs: () => Supermodel[]): void {
    this.graphs = graphs;
  }

  status(key: string, value: unknown): void {
    this.statuses.set(key, value);
  }

  /** Writes everything waiting; what the store refuses waits for the next call. Never throws. */
  async flush(): Promise<void> {
    const events = this.events;
    this.events = [];
    if (events.length > 0 && !(await this.write('events', () => this.store.addEvents(events)))) this.events = this.bound([...events, ...this.events], this.limits.events);
    const audits = this.audits;
    this.audits = [];
    if (audits.length > 0 && !(await this.write('audits', () => this.store.addAudits(audits)))) this.audits = this.bound([...audits, ...this.audits], this.limits.audits);
    await this.writeKeyed(this.incidents, (incidents) => this.store.putIncidents([...incidents.values()]), 'incidents');
    await this.writeKeyed(this.models, (models) => this.store.putModels([...models.values()].map((snapshot) => snapshot())), 'models');
    await this.writeKeyed(this.containers, async (containers) => {
      for (const change of containers.values()) {
        if ('put' in change) await this.store.putContainer(change.put);
        else await this.store.removeContainer(change.remove);
      }
    }, 'containers');
    const graphs = this.graphs;
    this.graphs = undefined;
    if (graphs !== undefined && !(await this.write('graphs', () => this.store.putSupermodels(graphs())))) this.graphs ??= graphs;
    await this.writeKeyed(this.statuses, async (statuses) => {
      for (const [key, value] of statuses) await this.store.putStatus(key, value);
    }, 'status');
  }

  /** Writes what a map holds now; on failure what was taken goes back under its key, unless a newer copy came meanwhile. */
  private async writeKeyed<T>(map: Map<string, T>, write: (taken: ReadonlyMap<string, T>) => Promise<void>, what: string): Promise<void> {
    if (map.size === 0) return;
    const taken = new Map(map);
    map.clear();
    if (await this.write(what, () => write(taken))) return;
    for (const [key, value] of taken) if (!map.has(key)) map.set(key, value);
  }

  private async write(what: string, work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      if (this.failing.delete(what)) this.log(`store: ${what} written again`);
      return true;
    } catch (e) {
      this.counts.storeErrors++;
      const message = `${what}: ${(e as Error).message}`;
      if (this.failing.get(what) !== message) this.log(`store: ${message}; kept for the next write`);
      this.failing.set(what, message);
      this.counts.lastStoreError = message;
      return false;
    }
  }

  private bound<T>(records: T[], limit: number): T[] {
    if (records.length <= limit) return records;
    this.counts.storeDropped += records.length - limit;
    return records.slice(records.length - limit);
  }
}
