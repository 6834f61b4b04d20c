import type { Indicator } from '../intel/index.ts';
import type { Audit, FeedFormat, Incident, IntentModel, ModeSetting, RuntimeEvent, Supermodel, Suppression } from '../model/index.ts';

/** A container as the store keeps it: what the defender discovered, and the model it runs under. */
export interface StoredContainer {
  id: string;
  name: string;
  image: string;
  imageId: string;
  imageDigest?: string;
  namespace?: string;
  app?: string;
  service?: string;
  running: boolean;
  startedAt?: string;
  model?: string;
}

/** A change to a model asked for from outside the defender; the defender takes it up. */
export type ModelCommand =
  | { action: 'relearn'; model: string }
  | { action: 'extend'; model: string; seconds: number };

/** A threat-intelligence feed as loaded: where from, when, and (for a URL) how often again. */
export interface FeedSummary {
  name: string;
  /** The file or URL it was read from. */
  source: string;
  format: FeedFormat;
  loadedAt: string;
  /** Load it again this often (a running defender does). */
  everySec?: number;
  count: number;
  notes: string[];
}

export interface StoredFeed extends Omit<FeedSummary, 'count'> {
  indicators: Indicator[];
}

export interface Page {
  /** Only records at or after this ISO time. */
  since?: string;
  /** The newest `limit` records, oldest first. */
  limit?: number;
}

/**
 * Where models, containers, events, audits and status live. The embedded
 * implementation is SQLite in the data folder; every implementation keeps the
 * same contract.
 */
export interface Store {
  putModels(models: readonly IntentModel[]): void;
  models(): IntentModel[];
  putContainer(container: StoredContainer): void;
  removeContainer(id: string): void;
  containers(): StoredContainer[];
  addEvents(events: ReadonlyArray<{ event: RuntimeEvent; container?: string }>): void;
  events(page?: Page): RuntimeEvent[];
  addAudits(audits: readonly Audit[]): void;
  audits(page?: Page): Audit[];
  putIncidents(incidents: readonly Incident[]): void;
  incidents(page?: Page): Incident[];
  putSuppression(suppression: Suppression): void;
  removeSuppression(id: string): boolean;
  suppressions(): Suppression[];
  /** The applications' graphs the defender learned: each replaces the one of the same application. */
  putSupermodels(supermodels: readonly Supermodel[]): void;
  supermodels(): Supermodel[];
  /** Sets a mode: it replaces the setting of the same scope and dimension. */
  putMode(setting: ModeSetting): void;
  removeMode(setting: Pick<ModeSetting, 'scope' | 'dimension'>): boolean;
  modes(): ModeSetting[];
  putStatus(key: string, value: unknown): void;
  status(key: string): { updatedAt: string; value: unknown } | undefined;
  putFeed(feed: StoredFeed): void;
  removeFeed(name: string): boolean;
  feeds(): FeedSummary[];
  feedIndicators(): Indicator[];
  enqueueCommand(command: ModelCommand): void;
  takeCommands(): ModelCommand[];
  close(): void;
}
