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
  | { action: 'extend'; model: string; seconds: number }
  | { action: 'accept-proposal'; model: string; proposal: string; by?: string }
  | { action: 'reject-proposal'; model: string; proposal: string; by?: string };

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

/** What an image is, as read once and kept: its static model (the image's own, or its intent manifest's) and its executables. */
export interface StoredImage {
  /** The image id (`sha256:` of its config). */
  id: string;
  /** When it was read. */
  readAt: string;
  model?: IntentModel;
  /** Its executables, with symbolic links' targets: what drift is judged against. */
  executables: string[];
}

// The store by role. Every method answers with a promise: PostgreSQL is over
// the network, and SQLite (which answers at once) keeps the same contract, so
// that no caller needs to know which one it has.

/** Models, by id (the image, scoped by namespace). */
export interface ModelStore {
  putModels(models: readonly IntentModel[]): Promise<void>;
  models(): Promise<IntentModel[]>;
  queryModels(query: ModelQuery): Promise<Listing<IntentModel, string>>;
  model(id: string): Promise<IntentModel | undefined>;
}

/** The containers defenders discovered, and the model each runs under. */
export interface ContainerStore {
  putContainer(container: StoredContainer): Promise<void>;
  removeContainer(id: string): Promise<void>;
  containers(): Promise<StoredContainer[]>;
}

/** Events, audits and incidents: what was seen, and what it meant. */
export interface RecordStore {
  addEvents(events: ReadonlyArray<{ event: RuntimeEvent; container?: string }>): Promise<void>;
  /**
   * Events of a source that numbers them in order (a defender's outbox): each
   * stored once however often it comes, as the source's numbers at or below
   * the highest stored are taken as stored already.
   */
  addEventsFrom(source: string, events: ReadonlyArray<{ seq: number; event: RuntimeEvent; container?: string }>): Promise<void>;
  events(page?: Page): Promise<RuntimeEvent[]>;
  queryEvents(query: RecordQuery): Promise<Listing<RuntimeEvent, number>>;
  addAudits(audits: readonly Audit[]): Promise<void>;
  audits(page?: Page): Promise<Audit[]>;
  queryAudits(query: RecordQuery): Promise<Listing<Audit, number>>;
  putIncidents(incidents: readonly Incident[]): Promise<void>;
  incidents(page?: Page): Promise<Incident[]>;
  queryIncidents(query: RecordQuery): Promise<Listing<Incident, number>>;
  incident(id: string): Promise<Incident | undefined>;
}

/** The applications' graphs the defenders learned: each replaces the one of the same application. */
export interface GraphStore {
  putSupermodels(supermodels: readonly Supermodel[]): Promise<void>;
  supermodels(): Promise<Supermodel[]>;
}

/** What users decided: modes, suppressions, and commands to the models. */
export interface PolicyStore {
  /** Sets a mode: it replaces the setting of the same scope and dimension. */
  putMode(setting: ModeSetting): Promise<void>;
  removeMode(setting: Pick<ModeSetting, 'scope' | 'dimension'>): Promise<boolean>;
  modes(): Promise<ModeSetting[]>;
  putSuppression(suppression: Suppression): Promise<void>;
  removeSuppression(id: string): Promise<boolean>;
  suppressions(): Promise<Suppression[]>;
  /** Queues a command (commands older than a week are forgotten). */
  enqueueCommand(command: ModelCommand): Promise<void>;
  /** The commands queued, once each: the local defender's way. */
  takeCommands(): Promise<ModelCommand[]>;
  /** The commands after a place in the queue, without taking them: the console's way, for each of its defenders. */
  commandsSince(after: number): Promise<Array<{ seq: number; command: ModelCommand }>>;
}

/** Threat-intelligence feeds, as loaded. */
export interface FeedStore {
  putFeed(feed: StoredFeed): Promise<void>;
  removeFeed(name: string): Promise<boolean>;
  feeds(): Promise<FeedSummary[]>;
  feedIndicators(): Promise<Indicator[]>;
}

/** Status by key (a defender's, the outbox's). */
export interface StatusStore {
  putStatus(key: string, value: unknown): Promise<void>;
  status(key: string): Promise<{ updatedAt: string; value: unknown } | undefined>;
}

/** Images read once, by image id: a defender started again reads none of them again. */
export interface ImageStore {
  putImage(image: StoredImage): Promise<void>;
  image(id: string): Promise<StoredImage | undefined>;
}

/** The console's own: users, tokens, sessions, defenders and the changes made. */
export interface AuthStore {
  putUser(user: User): Promise<void>;
  user(name: string): Promise<User | undefined>;
  users(): Promise<User[]>;
  removeUser(name: string): Promise<boolean>;
  putToken(token: ApiToken): Promise<void>;
  tokenByHash(hash: string): Promise<ApiToken | undefined>;
  tokens(): Promise<ApiToken[]>;
  removeToken(id: string): Promise<boolean>;
  putSession(session: Session): Promise<void>;
  /** A session that has not expired. */
  session(id: string, now: string): Promise<Session | undefined>;
  removeSession(id: string): Promise<void>;
  putDefender(defender: DefenderRecord): Promise<void>;
  defenders(): Promise<DefenderRecord[]>;
  addChange(change: Change): Promise<void>;
  changes(query: { before?: number; limit?: number }): Promise<Listing<Change, number>>;
}

/** The schema, and the store's end. */
export interface SchemaStore {
  /** The schema's version: the number of migrations applied. */
  schemaVersion(): Promise<number>;
  /** Migrates up or down to a version (down loses what the later versions added). */
  migrateTo(version: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A defender's outbox (SQLite with an outbox): what it has yet to hand to its
 * console, in order, until the console acknowledges it.
 */
export interface Outbox {
  /** The records after `after` that the console has yet to acknowledge, oldest first; bodies as stored JSON. */
  outbox(after: number, limit: number): Promise<OutboxRecord[]>;
  /** The console has every record up to `seq`: they leave the outbox. */
  acknowledge(seq: number): Promise<void>;
  /** This store's own random id, made with it: a new store (a new outbox, numbered anew) has another. */
  storeId(): Promise<string>;
  /** Records waiting, and records dropped past the bound since the store was made. */
  outboxState(): Promise<{ pending: number; dropped: number }>;
}

/** What a defender writes, and reads back: its models, containers, records, graphs, status and images, and the policy and feeds it takes. */
export type DefenderStore = ModelStore & ContainerStore & Pick<RecordStore, 'addEvents' | 'addAudits' | 'putIncidents'> & GraphStore
  & Pick<PolicyStore, 'modes' | 'suppressions' | 'takeCommands'> & FeedStore & StatusStore & ImageStore;

/**
 * Where models, containers, events, audits and status live: every role. The
 * embedded implementation is SQLite in the data folder, the shared one
 * PostgreSQL; both keep the same contract (test/store/contract.ts).
 */
export type Store = ModelStore & ContainerStore & RecordStore & GraphStore & PolicyStore & FeedStore & StatusStore & ImageStore & AuthStore & SchemaStore;
