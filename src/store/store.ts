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
  /** The defender that reported it (on a console). */
  defender?: string;
}

/** What a defender hands to its console. */
export type OutboxKind = 'event' | 'audit' | 'incident' | 'model' | 'container' | 'supermodel' | 'status';

/** One record in a defender's outbox: its place in order, what it is, its key (for upserts), and its body as stored JSON. */
export interface OutboxRecord {
  seq: number;
  kind: OutboxKind;
  key: string | null;
  body: string;
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

/** Who may do what on the console: admins everything, operators change policy, auditors read; defenders only report. */
export type Role = 'admin' | 'operator' | 'auditor' | 'defender';

/** A console user: a name, a role, and a memory-hard hash of the password. */
export interface User {
  name: string;
  role: Exclude<Role, 'defender'>;
  passwordHash: string;
  createdAt: string;
}

/** An API token: only its SHA-256 is kept; it acts with its role for its user (or its defender). */
export interface ApiToken {
  id: string;
  name: string;
  /** The user who made it (a defender's token: the user who enrolled it). */
  user: string;
  role: Role;
  hash: string;
  createdAt: string;
  expiresAt?: string;
  /** A defender's token: the defender it speaks for. */
  defender?: string;
  /** An enrollment token: defenders enroll with it, and it acts for nothing else. */
  enroll?: boolean;
}

/** A browser's login: the cookie's hash, its user, and the token its changes must carry (CSRF). */
export interface Session {
  id: string;
  user: string;
  csrf: string;
  createdAt: string;
  expiresAt: string;
}

/** A defender enrolled with the console. */
export interface DefenderRecord {
  id: string;
  name: string;
  hostname: string;
  version: string;
  enrolledAt: string;
  lastSeen: string;
  /** Whether it is connected to a console now, and to which replica. */
  connected?: boolean;
  replica?: string;
  /** The last command it has (`commandsSince`). */
  lastCommand?: number;
  /** Its outbox as it last said: records waiting, and records it dropped past its bound. */
  pending?: number;
  dropped?: number;
  /** Its own status, as it reports it. */
  status?: unknown;
}

/** One change made through the console: who, what, to what, when. */
export interface Change {
  time: string;
  actor: string;
  action: string;
  target: string;
  detail?: unknown;
}

/** A page of records and, when there are more, the key to ask for the next one. */
export interface Listing<T, K> {
  items: T[];
  next?: K;
}

/** Models by id, filtered by image (a reference or its repository), namespace and state. */
export interface ModelQuery {
  image?: string;
  namespace?: string;
  state?: string;
  /** Models with ids after this one. */
  after?: string;
  limit?: number;
}

/** Records newest first, filtered; `before`: the `next` of the page before. */
export interface RecordQuery {
  since?: string;
  until?: string;
  container?: string;
  model?: string;
  rule?: string;
  severity?: string;
  pattern?: string;
  kind?: string;
  before?: number;
  limit?: number;
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
  /**
   * Events of a source that numbers them in order (a defender's outbox): each
   * stored once however often it comes, as the source's numbers at or below
   * the highest stored are taken as stored already.
   */
  addEventsFrom(source: string, events: ReadonlyArray<{ seq: number; event: RuntimeEvent; container?: string }>): void;
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
  /** Queues a command (commands older than a week are forgotten). */
  enqueueCommand(command: ModelCommand): void;
  /** The commands queued, once each: the local defender's way. */
  takeCommands(): ModelCommand[];
  /** The commands after a place in the queue, without taking them: the console's way, for each of its defenders. */
  commandsSince(after: number): Array<{ seq: number; command: ModelCommand }>;
  queryModels(query: ModelQuery): Listing<IntentModel, string>;
  model(id: string): IntentModel | undefined;
  queryAudits(query: RecordQuery): Listing<Audit, number>;
  queryIncidents(query: RecordQuery): Listing<Incident, number>;
  incident(id: string): Incident | undefined;
  queryEvents(query: RecordQuery): Listing<RuntimeEvent, number>;
  putUser(user: User): void;
  user(name: string): User | undefined;
  users(): User[];
  removeUser(name: string): boolean;
  putToken(token: ApiToken): void;
  tokenByHash(hash: string): ApiToken | undefined;
  tokens(): ApiToken[];
  removeToken(id: string): boolean;
  putSession(session: Session): void;
  /** A session that has not expired. */
  session(id: string, now: string): Session | undefined;
  removeSession(id: string): void;
  putDefender(defender: DefenderRecord): void;
  defenders(): DefenderRecord[];
  addChange(change: Change): void;
  changes(query: { before?: number; limit?: number }): Listing<Change, number>;
  /** The schema's version: the number of migrations applied. */
  schemaVersion(): number;
  /** Migrates up or down to a version (down loses what the later versions added). */
  migrateTo(version: number): void;
  close(): void;
}

/** The store as a console replica sees it: every call may wait (PostgreSQL is over the network). */
export type ConsoleStore = { [K in keyof Store]: Store[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never };

/** A store that answers at once, as a console store (SQLite). */
export function consoleStore(store: Store): ConsoleStore {
  return new Proxy(store, {
    get(target, key) {
      const member = (target as unknown as Record<PropertyKey, unknown>)[key];
      return typeof member === 'function' ? (...args: unknown[]) => Promise.resolve().then(() => (member as (...a: unknown[]) => unknown).apply(target, args)) : member;
    },
  }) as unknown as ConsoleStore;
}
