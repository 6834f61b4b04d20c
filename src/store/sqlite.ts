// The SQLite store: every role of the Store contract (store.ts) on one
// node:sqlite file. One file over 400 lines for a reason: the roles share one
// connection, one transaction helper, the schema's migrations and the
// console's outbox, which each write adds to in the same transaction.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Audit, Incident, IntentModel, modeKey, ModeSetting, RuntimeEvent, Supermodel, Suppression } from '../model/index.ts';
import type { Indicator } from '../intel/index.ts';
import { COMMANDS_KEPT_MS, modelColumns, storedImage, modelWhere, pageOfRows, pageSize, recordWhere, type RecordTable } from './rows.ts';
import type {
  ApiToken, Change, DefenderRecord, FeedSummary, Listing, ModelCommand, ModelQuery, Outbox, OutboxKind, OutboxRecord, Page, RecordQuery, Session, Store, StoredContainer, StoredFeed, StoredImage, User,
} from './store.ts';

/** One step of the schema: up from the version before, and back down. */
interface Migration {
  up: string | ((db: DatabaseSync) => void);
  down: string;
}

/** Numbered migrations: the schema's version (`PRAGMA user_version`) is how many are applied. */
const MIGRATIONS: readonly Migration[] = [
  {
    up: `CREATE TABLE models (id TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at TEXT NOT NULL, body TEXT NOT NULL);
      CREATE TABLE containers (id TEXT PRIMARY KEY, model TEXT, running INTEGER NOT NULL, updated_at TEXT NOT NULL, body TEXT NOT NULL);
      CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, container TEXT, kind TEXT NOT NULL, body TEXT NOT NULL);
      CREATE INDEX events_time ON events (time);
      CREATE TABLE audits (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, time TEXT NOT NULL, rule TEXT NOT NULL,
        container TEXT NOT NULL, model TEXT, body TEXT NOT NULL);
      CREATE INDEX audits_time ON audits (time);
      CREATE TABLE status (key TEXT PRIMARY KEY, updated_at TEXT NOT NULL, body TEXT NOT NULL);
      CREATE TABLE commands (seq INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, body TEXT NOT NULL);`,
    down: 'DROP TABLE models; DROP TABLE containers; DROP TABLE events; DROP TABLE audits; DROP TABLE status; DROP TABLE commands;',
  },
  {
    up: `CREATE TABLE intel_feeds (name TEXT PRIMARY KEY, source TEXT NOT NULL, format TEXT NOT NULL, every_sec INTEGER, loaded_at TEXT NOT NULL,
      indicators INTEGER NOT NULL, notes TEXT NOT NULL, body TEXT NOT NULL);`,
    down: 'DROP TABLE intel_feeds;',
  },
  {
    up: `CREATE TABLE incidents (id TEXT PRIMARY KEY, last_seen TEXT NOT NULL, pattern TEXT NOT NULL, container TEXT NOT NULL, body TEXT NOT NULL);
      CREATE INDEX incidents_last_seen ON incidents (last_seen);`,
    down: 'DROP TABLE incidents;',
  },
  { up: 'CREATE TABLE suppressions (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, body TEXT NOT NULL);', down: 'DROP TABLE suppressions;' },
  { up: 'CREATE TABLE modes (key TEXT PRIMARY KEY, set_at TEXT NOT NULL, body TEXT NOT NULL);', down: 'DROP TABLE modes;' },
  { up: 'CREATE TABLE supermodels (app TEXT PRIMARY KEY, updated_at TEXT NOT NULL, body TEXT NOT NULL);', down: 'DROP TABLE supermodels;' },
  {
    // the console: filters on models, audits and incidents; each source's events stored once; users, tokens, sessions, defenders, changes.
    // Events lose their time index: they are a bounded ring written at the highest rate, and a time filter on them scans it.
    up(db) {
      db.exec(`ALTER TABLE models ADD COLUMN image TEXT; ALTER TABLE models ADD COLUMN repository TEXT; ALTER TABLE models ADD COLUMN namespace TEXT;
        CREATE INDEX models_image ON models (image); CREATE INDEX models_repository ON models (repository); CREATE INDEX models_namespace ON models (namespace);
        CREATE TABLE event_sources (source TEXT PRIMARY KEY, high INTEGER NOT NULL);
        DROP INDEX events_time;
        ALTER TABLE audits ADD COLUMN severity TEXT; UPDATE audits SET severity = json_extract(body, '$.severity');
        CREATE TABLE incidents_new (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, last_seen TEXT NOT NULL, pattern TEXT NOT NULL, severity TEXT,
          container TEXT NOT NULL, body TEXT NOT NULL);
        INSERT INTO incidents_new (id, last_seen, pattern, severity, container, body)
          SELECT id, last_seen, pattern, json_extract(body, '$.severity'), container, body FROM incidents ORDER BY rowid;
        DROP TABLE incidents; ALTER TABLE incidents_new RENAME TO incidents; CREATE INDEX incidents_last_seen ON incidents (last_seen);
        CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, created_at TEXT NOT NULL, body TEXT NOT NULL);
        CREATE TABLE tokens (id TEXT PRIMARY KEY, hash TEXT UNIQUE NOT NULL, username TEXT NOT NULL, created_at TEXT NOT NULL, body TEXT NOT NULL);
        CREATE TABLE sessions (id TEXT PRIMARY KEY, username TEXT NOT NULL, expires_at TEXT NOT NULL, body TEXT NOT NULL);
        CREATE TABLE defenders (id TEXT PRIMARY KEY, last_seen TEXT NOT NULL, body TEXT NOT NULL);
        CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, body TEXT NOT NULL);`);
      const index = db.prepare('UPDATE models SET image = ?, repository = ?, namespace = ? WHERE id = ?');
      for (const row of db.prepare('SELECT id, body FROM models').all() as Array<{ id: string; body: string }>) {
        const columns = modelColumns(JSON.parse(row.body) as IntentModel);
        index.run(columns.image, columns.repository, columns.namespace, row.id);
      }
    },
    down: `DROP TABLE users; DROP TABLE tokens; DROP TABLE sessions; DROP TABLE defenders; DROP TABLE changes;
      DROP INDEX models_image; DROP INDEX models_repository; DROP INDEX models_namespace; DROP TABLE event_sources; CREATE INDEX events_time ON events (time);
      ALTER TABLE models DROP COLUMN image; ALTER TABLE models DROP COLUMN repository; ALTER TABLE models DROP COLUMN namespace;
      ALTER TABLE audits DROP COLUMN severity;
      CREATE TABLE incidents_old (id TEXT PRIMARY KEY, last_seen TEXT NOT NULL, pattern TEXT NOT NULL, container TEXT NOT NULL, body TEXT NOT NULL);
      INSERT INTO incidents_old SELECT id, last_seen, pattern, container, body FROM incidents ORDER BY seq;
      DROP TABLE incidents; ALTER TABLE incidents_old RENAME TO incidents; CREATE INDEX incidents_last_seen ON incidents (last_seen);`,
  },
  {
    // a defender's outbox: what it has yet to hand to the console, in order (an upsert's older copy replaced)
    up: `CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, key TEXT, body TEXT NOT NULL);
      CREATE UNIQUE INDEX outbox_key ON outbox (kind, key);`,
    down: 'DROP TABLE outbox;',
  },
  { up: 'CREATE TABLE images (id TEXT PRIMARY KEY, read_at TEXT NOT NULL, body TEXT NOT NULL);', down: 'DROP TABLE images;' },
];

/** Rows a multi-row INSERT of events carries, and its VALUES list (a prefix of it for fewer rows: 14 characters a row). */
const ROWS_A_STATEMENT = 64;
const ROWS_OF_4 = Array(ROWS_A_STATEMENT).fill('(?, ?, ?, ?)').join(', ');

/** The file the embedded store keeps in a data folder. */
export const STORE_FILE = 'tenet.db';

/**
 * How long a write waits for another process's write lock (a defender's
 * transactions are short; on a loaded host a commit can still stall for seconds).
 */
export const BUSY_TIMEOUT_MS = 15_000;

/** The store was locked by another process for longer than BUSY_TIMEOUT_MS. */
export const isStoreBusy = (e: unknown): boolean => (e as { errcode?: unknown } | null)?.errcode === 5;

/**
 * The embedded store: one SQLite file in the data folder (Node's built-in
 * `node:sqlite`), in WAL mode so the CLI reads while a defender writes.
 */
export class SqliteStore implements Store, Outbox {
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  /** Events kept: the oldest go first past this bound. */
  private readonly maxEvents: number;

  /** With an outbox: the most records it holds; past it, the oldest go (and are counted). */
  private readonly outboxMax: number | undefined;

  /**
   * `outbox`: also keep, in the same transaction, every event, audit,
   * incident, model, container, graph and status written, for a defender to
   * hand to its console (see `outbox()` and `acknowledge()`).
   */
  constructor(dataDir: string, options: { maxEvents?: number; outbox?: { max: number } } = {}) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new DatabaseSync(join(dataDir, STORE_FILE));
    // wait for another process's lock before anything else (a defender and a CLI may open a new folder at once)
    this.db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;`);
    this.maxEvents = options.maxEvents ?? 200_000;
    this.outboxMax = options.outbox?.max;
    this.migrate();
  }

  /** Keeps a record for the console (inside the caller's transaction); keyed records replace their older copy. */
  private forward(kind: OutboxKind, key: string | null, body: string): void {
    if (this.outboxMax === undefined) return;
    if (key === null) this.sql('INSERT INTO outbox (kind, key, body) VALUES (?, NULL, ?)').run(kind, body);
    else this.sql('INSERT OR REPLACE INTO outbox (kind, key, body) VALUES (?, ?, ?)').run(kind, key, body);
  }

  /** Past the bound, the oldest records go, counted (inside the caller's transaction). */
  private boundOutbox(): void {
    if (this.outboxMax === undefined) return;
    const span = this.sql('SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM outbox').get() as { lo: number | null; hi: number | null };
    if (span.lo === null || span.hi! - span.lo + 1 <= this.outboxMax) return;
    const { n } = this.sql('SELECT COUNT(*) AS n FROM outbox').get() as { n: number };
    if (n <= this.outboxMax) return;
    const dropped = Number(this.sql('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT ?)').run(n - this.outboxMax).changes);
    this.sql(`INSERT INTO status (key, updated_at, body) VALUES ('outbox.dropped', ?, ?)
      ON CONFLICT (key) DO UPDATE SET updated_at = excluded.updated_at, body = CAST(status.body AS INTEGER) + excluded.body`).run(new Date().toISOString(), String(dropped));
  }

  /** The records after `after` that the console has yet to acknowledge, oldest first; bodies as stored JSON. */
  async outbox(after: number, limit: number): Promise<OutboxRecord[]> {
    return this.sql('SELECT seq, kind, key, body FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?').all(after, limit) as unknown as OutboxRecord[];
  }

  /** The console has every record up to `seq`: they leave the outbox. */
  async acknowledge(seq: number): Promise<void> {
    this.sql('DELETE FROM outbox WHERE seq <= ?').run(seq);
  }

  /** This store's own random id, made with it: a new store (a new outbox, numbered anew) has another. */
  async storeId(): Promise<string> {
    this.sql("INSERT INTO status (key, updated_at, body) VALUES ('store.id', ?, ?) ON CONFLICT (key) DO NOTHING").run(new Date().toISOString(), JSON.stringify(randomUUID()));
    return JSON.parse((this.sql("SELECT body FROM status WHERE key = 'store.id'").get() as { body: string }).body) as string;
  }

  /** Records waiting, and records dropped past the bound since the store was made. */
  async outboxState(): Promise<{ pending: number; dropped: number }> {
    const { n } = this.sql('SELECT COUNT(*) AS n FROM outbox').get() as { n: number };
    const dropped = this.sql("SELECT body FROM status WHERE key = 'outbox.dropped'").get() as { body: string } | undefined;
    return { pending: n, dropped: dropped === undefined ? 0 : Number(dropped.body) };
  }

  /** Each step reads the version inside its own write lock, so two processes migrating at once take turns. */
  private migrate(): void {
    this.migrateSync(MIGRATIONS.length);
  }

  async schemaVersion(): Promise<number> {
    return this.version();
  }

  private version(): number {
    return (this.db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
  }

  async migrateTo(target: number): Promise<void> {
    this.migrateSync(target);
  }

  private migrateSync(target: number): void {
    if (!Number.isInteger(target) || target < 0 || target > MIGRATIONS.length) throw new Error(`no schema version ${target} (this Tenet knows 0 to ${MIGRATIONS.length})`);
    // a store at its version is opened without the write lock: a reader never waits for a busy writer to open it
    if (this.version() === target) return;
    this.statements.clear();
    for (let done = false; !done;) {
      done = this.transaction(() => {
        const version = this.version();
        if (version > MIGRATIONS.length) throw new Error(`the store was written by a newer Tenet (schema ${version}, this one knows ${MIGRATIONS.length})`);
        if (version === target) return true;
        const step = version < target ? MIGRATIONS[version]!.up : MIGRATIONS[version - 1]!.down;
        if (typeof step === 'string') this.db.exec(step);
        else step(this.db);
        this.db.exec(`PRAGMA user_version = ${version < target ? version + 1 : version - 1}`);
        return false;
      });
    }
  }

  private sql(text: string): StatementSync {
    let statement = this.statements.get(text);
    if (statement === undefined) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private transaction<T>(work: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
  }

  async putModels(models: readonly IntentModel[]): Promise<void> {
    const now = new Date().toISOString();
    this.transaction(() => {
      for (const m of models) {
        const c = modelColumns(m);
        const body = JSON.stringify(m);
        this.sql(`INSERT INTO models (id, state, updated_at, image, repository, namespace, body) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET
          state = excluded.state, updated_at = excluded.updated_at, image = excluded.image, repository = excluded.repository, namespace = excluded.namespace, body = excluded.body`)
          .run(m.id, m.state, now, c.image, c.repository, c.namespace, body);
        this.forward('model', m.id, body);
      }
      this.boundOutbox();
    });
  }

  async models(): Promise<IntentModel[]> {
    return (this.sql('SELECT body FROM models ORDER BY id').all() as Array<{ body: string }>).map((r) => IntentModel.parse(JSON.parse(r.body)));
  }

  async putContainer(container: StoredContainer): Promise<void> {
    if (this.outboxMax !== undefined) {
      this.transaction(() => {
        this.writeContainer(container);
        this.forward('container', container.id, JSON.stringify(container));
        this.boundOutbox();
      });
    } else this.writeContainer(container);
  }

  private writeContainer(container: StoredContainer): void {
    this.sql('INSERT INTO containers (id, model, running, updated_at, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET model = excluded.model, running = excluded.running, updated_at = excluded.updated_at, body = excluded.body')
      .run(container.id, container.model ?? null, container.running ? 1 : 0, new Date().toISOString(), JSON.stringify(container));
  }

  async removeContainer(id: string): Promise<void> {
    this.transaction(() => {
      this.sql('DELETE FROM containers WHERE id = ?').run(id);
      this.forward('container', id, JSON.stringify({ id, removed: true }));
    });
  }

  async containers(): Promise<StoredContainer[]> {
    return (this.sql('SELECT body FROM containers ORDER BY running DESC, id').all() as Array<{ body: string }>).map((r) => JSON.parse(r.body) as StoredContainer);
  }

  async addEvents(events: ReadonlyArray<{ event: RuntimeEvent; container?: string }>): Promise<void> {
    if (events.length === 0) return;
    this.transaction(() => this.insertEvents(events));
  }

  async addEventsFrom(source: string, events: ReadonlyArray<{ seq: number; event: RuntimeEvent; container?: string }>): Promise<void> {
    if (events.length === 0) return;
    this.transaction(() => {
      const high = (this.sql('SELECT high FROM event_sources WHERE source = ?').get(source) as { high: number } | undefined)?.high ?? 0;
      const fresh = events.filter((e) => e.seq > high);
      if (fresh.length === 0) return;
      this.insertEvents(fresh);
      this.sql('INSERT INTO event_sources (source, high) VALUES (?, ?) ON CONFLICT (source) DO UPDATE SET high = MAX(high, excluded.high)')
        .run(source, fresh.reduce((max, e) => Math.max(max, e.seq), high));
    });
  }

  /** Events in (inside the caller's transaction), the oldest past the bound out. */
  private insertEvents(events: ReadonlyArray<{ event: RuntimeEvent; container?: string }>): void {
    // several rows a statement: each call of a statement costs as much as a few rows
    const values: Array<string | null> = [];
    const flush = (rows: number) => {
      this.sql(`INSERT INTO events (time, container, kind, body) VALUES ${ROWS_OF_4.slice(0, rows * 14 - 2)}`).run(...values);
      values.length = 0;
    };
    for (const { event, container } of events) {
      const body = JSON.stringify(event);
      values.push(event.time, container ?? null, event.kind, body);
      if (values.length === ROWS_A_STATEMENT * 4) flush(ROWS_A_STATEMENT);
      // the record for the console is made only when there is an outbox: the console's own ingest is the hot path
      if (this.outboxMax !== undefined) this.forward('event', null, container === undefined ? `{"event":${body}}` : `{"event":${body},"container":${JSON.stringify(container)}}`);
    }
    if (values.length > 0) flush(values.length / 4);
    this.boundOutbox();
    this.sql('DELETE FROM events WHERE seq <= (SELECT MAX(seq) FROM events) - ?').run(this.maxEvents);
  }

  async events(page: Page = {}): Promise<RuntimeEvent[]> {
    const rows = this.sql('SELECT body FROM events WHERE time >= ? ORDER BY seq DESC LIMIT ?').all(page.since ?? '', page.limit ?? 1000) as Array<{ body: string }>;
    return rows.reverse().map((r) => RuntimeEvent.parse(JSON.parse(r.body)));
  }

  async addAudits(audits: readonly Audit[]): Promise<void> {
    if (audits.length === 0) return;
    this.transaction(() => {
      const insert = this.sql('INSERT OR IGNORE INTO audits (id, time, rule, severity, container, model, body) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const a of audits) {
        const body = JSON.stringify(a);
        insert.run(a.id, a.time, a.rule, a.severity, a.container.id, a.model ?? null, body);
        this.forward('audit', null, body);
      }
      this.boundOutbox();
    });
  }

  async audits(page: Page = {}): Promise<Audit[]> {
    const rows = this.sql('SELECT body FROM audits WHERE time >= ? ORDER BY seq DESC LIMIT ?').all(page.since ?? '', page.limit ?? 1000) as Array<{ body: string }>;
    return rows.reverse().map((r) => Audit.parse(JSON.parse(r.body)));
  }

  async putIncidents(incidents: readonly Incident[]): Promise<void> {
    if (incidents.length === 0) return;
    this.transaction(() => {
      const put = this.sql(`INSERT INTO incidents (id, last_seen, pattern, severity, container, body) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, pattern = excluded.pattern, severity = excluded.severity, body = excluded.body`);
      const remove = this.sql('DELETE FROM incidents WHERE id = ?');
      for (const i of incidents) {
        const body = JSON.stringify(i);
        if (i.mergedInto !== undefined) remove.run(i.id);
        else put.run(i.id, i.lastSeen, i.pattern, i.severity, i.container.id, body);
        this.forward('incident', i.id, body);
      }
      this.boundOutbox();
    });
  }

  async incidents(page: Page = {}): Promise<Incident[]> {
    const rows = this.sql('SELECT body FROM incidents WHERE last_seen >= ? ORDER BY last_seen DESC LIMIT ?').all(page.since ?? '', page.limit ?? 1000) as Array<{ body: string }>;
    return rows.reverse().map((r) => Incident.parse(JSON.parse(r.body)));
  }

  async putSuppression(suppression: Suppression): Promise<void> {
    this.sql('INSERT OR REPLACE INTO suppressions (id, created_at, body) VALUES (?, ?, ?)').run(suppression.id, suppression.createdAt, JSON.stringify(suppression));
  }

  async removeSuppression(id: string): Promise<boolean> {
    return Number(this.sql('DELETE FROM suppressions WHERE id = ?').run(id).changes) > 0;
  }

  async suppressions(): Promise<Suppression[]> {
    return (this.sql('SELECT body FROM suppressions ORDER BY created_at').all() as Array<{ body: string }>).map((r) => Suppression.parse(JSON.parse(r.body)));
  }

  async putSupermodels(supermodels: readonly Supermodel[]): Promise<void> {
    if (supermodels.length === 0) return;
    const now = new Date().toISOString();
    this.transaction(() => {
      const put = this.sql('INSERT OR REPLACE INTO supermodels (app, updated_at, body) VALUES (?, ?, ?)');
      for (const s of supermodels) {
        const body = JSON.stringify(s);
        put.run(s.app, now, body);
        this.forward('supermodel', s.app, body);
      }
      this.boundOutbox();
    });
  }

  async supermodels(): Promise<Supermodel[]> {
    return (this.sql('SELECT body FROM supermodels ORDER BY app').all() as Array<{ body: string }>).map((r) => Supermodel.parse(JSON.parse(r.body)));
  }

  async putMode(setting: ModeSetting): Promise<void> {
    this.sql('INSERT OR REPLACE INTO modes (key, set_at, body) VALUES (?, ?, ?)').run(modeKey(setting), setting.setAt, JSON.stringify(setting));
  }

  async removeMode(setting: Pick<ModeSetting, 'scope' | 'dimension'>): Promise<boolean> {
    return Number(this.sql('DELETE FROM modes WHERE key = ?').run(modeKey(setting)).changes) > 0;
  }

  async modes(): Promise<ModeSetting[]> {
    return (this.sql('SELECT body FROM modes ORDER BY set_at, key').all() as Array<{ body: string }>).map((r) => ModeSetting.parse(JSON.parse(r.body)));
  }

  async putStatus(key: string, value: unknown): Promise<void> {
    const write = () => {
      const body = JSON.stringify(value);
      this.sql('INSERT INTO status (key, updated_at, body) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET updated_at = excluded.updated_at, body = excluded.body')
        .run(key, new Date().toISOString(), body);
      this.forward('status', key, body);
    };
    if (this.outboxMax !== undefined) this.transaction(write);
    else write();
  }

  async status(key: string): Promise<{ updatedAt: string; value: unknown } | undefined> {
    const row = this.sql('SELECT updated_at, body FROM status WHERE key = ?').get(key) as { updated_at: string; body: string } | undefined;
    return row === undefined ? undefined : { updatedAt: row.updated_at, value: JSON.parse(row.body) };
  }

  async enqueueCommand(command: ModelCommand): Promise<void> {
    const now = Date.now();
    this.transaction(() => {
      this.sql('DELETE FROM commands WHERE created_at < ?').run(new Date(now - COMMANDS_KEPT_MS).toISOString());
      this.sql('INSERT INTO commands (created_at, body) VALUES (?, ?)').run(new Date(now).toISOString(), JSON.stringify(command));
    });
  }

  async commandsSince(after: number): Promise<Array<{ seq: number; command: ModelCommand }>> {
    return (this.sql('SELECT seq, body FROM commands WHERE seq > ? ORDER BY seq').all(after) as Array<{ seq: number; body: string }>)
      .map((r) => ({ seq: r.seq, command: JSON.parse(r.body) as ModelCommand }));
  }

  async takeCommands(): Promise<ModelCommand[]> {
    return this.transaction(() => {
      const rows = this.sql('SELECT seq, body FROM commands ORDER BY seq').all() as Array<{ seq: number; body: string }>;
      if (rows.length > 0) this.sql('DELETE FROM commands WHERE seq <= ?').run(rows.at(-1)!.seq);
      return rows.map((r) => JSON.parse(r.body) as ModelCommand);
    });
  }

  async putFeed(feed: StoredFeed): Promise<void> {
    this.sql(`INSERT INTO intel_feeds (name, source, format, every_sec, loaded_at, indicators, notes, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET source = excluded.source, format = excluded.format, every_sec = excluded.every_sec, loaded_at = excluded.loaded_at,
      indicators = excluded.indicators, notes = excluded.notes, body = excluded.body`)
      .run(feed.name, feed.source, feed.format, feed.everySec ?? null, feed.loadedAt, feed.indicators.length, JSON.stringify(feed.notes), JSON.stringify(feed.indicators));
  }

  async removeFeed(name: string): Promise<boolean> {
    return Number(this.sql('DELETE FROM intel_feeds WHERE name = ?').run(name).changes) > 0;
  }

  async feeds(): Promise<FeedSummary[]> {
    const rows = this.sql('SELECT name, source, format, every_sec, loaded_at, indicators, notes FROM intel_feeds ORDER BY name').all() as Array<{
      name: string; source: string; format: string; every_sec: number | null; loaded_at: string; indicators: number; notes: string;
    }>;
    return rows.map((r) => ({
      name: r.name, source: r.source, format: r.format as FeedSummary['format'], loadedAt: r.loaded_at, count: r.indicators, notes: JSON.parse(r.notes) as string[],
      ...(r.every_sec !== null && { everySec: r.every_sec }),
    }));
  }

  async feedIndicators(): Promise<Indicator[]> {
    return (this.sql('SELECT body FROM intel_feeds ORDER BY name').all() as Array<{ body: string }>).flatMap((r) => JSON.parse(r.body) as Indicator[]);
  }

  async queryModels(query: ModelQuery): Promise<Listing<IntentModel, string>> {
    const size = pageSize(query.limit);
    const { where, params } = modelWhere(query);
    const rows = this.sql(`SELECT id, body FROM models WHERE ${where} ORDER BY id LIMIT ?`).all(...params, size + 1) as Array<{ id: string; body: string }>;
    return pageOfRows(rows, size, (r) => IntentModel.parse(JSON.parse(r.body)), (r) => r.id);
  }

  async model(id: string): Promise<IntentModel | undefined> {
    const row = this.sql('SELECT body FROM models WHERE id = ?').get(id) as { body: string } | undefined;
    return row === undefined ? undefined : IntentModel.parse(JSON.parse(row.body));
  }

  /** A page of a time-ordered table, newest first, by the filters its columns have. */
  private records(table: RecordTable, query: RecordQuery) {
    const size = pageSize(query.limit);
    const { where, params } = recordWhere(table, query);
    const rows = this.sql(`SELECT seq, body FROM ${table} WHERE ${where} ORDER BY seq DESC LIMIT ?`).all(...params, size + 1) as Array<{ seq: number; body: string }>;
    return { rows, size };
  }

  async queryAudits(query: RecordQuery): Promise<Listing<Audit, number>> {
    const { rows, size } = this.records('audits', query);
    return pageOfRows(rows, size, (r) => Audit.parse(JSON.parse(r.body)), (r) => r.seq);
  }

  async queryIncidents(query: RecordQuery): Promise<Listing<Incident, number>> {
    const { rows, size } = this.records('incidents', query);
    return pageOfRows(rows, size, (r) => Incident.parse(JSON.parse(r.body)), (r) => r.seq);
  }

  async incident(id: string): Promise<Incident | undefined> {
    const row = this.sql('SELECT body FROM incidents WHERE id = ?').get(id) as { body: string } | undefined;
    return row === undefined ? undefined : Incident.parse(JSON.parse(row.body));
  }

  async queryEvents(query: RecordQuery): Promise<Listing<RuntimeEvent, number>> {
    const { rows, size } = this.records('events', query);
    return pageOfRows(rows, size, (r) => RuntimeEvent.parse(JSON.parse(r.body)), (r) => r.seq);
  }

  async putUser(user: User): Promise<void> {
    this.sql('INSERT INTO users (name, role, created_at, body) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET role = excluded.role, body = excluded.body')
      .run(user.name, user.role, user.createdAt, JSON.stringify(user));
  }

  async user(name: string): Promise<User | undefined> {
    const row = this.sql('SELECT body FROM users WHERE name = ?').get(name) as { body: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.body) as User);
  }

  async users(): Promise<User[]> {
    return (this.sql('SELECT body FROM users ORDER BY name').all() as Array<{ body: string }>).map((r) => JSON.parse(r.body) as User);
  }

  async removeUser(name: string): Promise<boolean> {
    return this.transaction(() => {
      this.sql('DELETE FROM tokens WHERE username = ?').run(name);
      this.sql('DELETE FROM sessions WHERE username = ?').run(name);
      return Number(this.sql('DELETE FROM users WHERE name = ?').run(name).changes) > 0;
    });
  }

  async putToken(token: ApiToken): Promise<void> {
    this.sql('INSERT OR REPLACE INTO tokens (id, hash, username, created_at, body) VALUES (?, ?, ?, ?, ?)').run(token.id, token.hash, token.user, token.createdAt, JSON.stringify(token));
  }

  async tokenByHash(hash: string): Promise<ApiToken | undefined> {
    const row = this.sql('SELECT body FROM tokens WHERE hash = ?').get(hash) as { body: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.body) as ApiToken);
  }

  async tokens(): Promise<ApiToken[]> {
    return (this.sql('SELECT body FROM tokens ORDER BY created_at, id').all() as Array<{ body: string }>).map((r) => JSON.parse(r.body) as ApiToken);
  }

  async removeToken(id: string): Promise<boolean> {
    return Number(this.sql('DELETE FROM tokens WHERE id = ?').run(id).changes) > 0;
  }

  async putSession(session: Session): Promise<void> {
    this.sql('INSERT OR REPLACE INTO sessions (id, username, expires_at, body) VALUES (?, ?, ?, ?)').run(session.id, session.user, session.expiresAt, JSON.stringify(session));
  }

  async session(id: string, now: string): Promise<Session | undefined> {
    this.sql('DELETE FROM sessions WHERE expires_at <= ?').run(now);
    const row = this.sql('SELECT body FROM sessions WHERE id = ?').get(id) as { body: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.body) as Session);
  }

  async removeSession(id: string): Promise<void> {
    this.sql('DELETE FROM sessions WHERE id = ?').run(id);
  }

  async putDefender(defender: DefenderRecord): Promise<void> {
    this.sql('INSERT OR REPLACE INTO defenders (id, last_seen, body) VALUES (?, ?, ?)').run(defender.id, defender.lastSeen, JSON.stringify(defender));
  }

  async defenders(): Promise<DefenderRecord[]> {
    return (this.sql('SELECT body FROM defenders ORDER BY id').all() as Array<{ body: string }>).map((r) => JSON.parse(r.body) as DefenderRecord);
  }

  async addChange(change: Change): Promise<void> {
    this.sql('INSERT INTO changes (time, actor, action, body) VALUES (?, ?, ?, ?)').run(change.time, change.actor, change.action, JSON.stringify(change));
  }

  async changes(query: { before?: number; limit?: number }): Promise<Listing<Change, number>> {
    const size = pageSize(query.limit);
    const rows = this.sql('SELECT seq, body FROM changes WHERE seq < ? ORDER BY seq DESC LIMIT ?').all(query.before ?? Number.MAX_SAFE_INTEGER, size + 1) as Array<{ seq: number; body: string }>;
    return pageOfRows(rows, size, (r) => JSON.parse(r.body) as Change, (r) => r.seq);
  }

  async putImage(image: StoredImage): Promise<void> {
    this.sql('INSERT OR REPLACE INTO images (id, read_at, body) VALUES (?, ?, ?)').run(image.id, image.readAt, JSON.stringify(image));
  }

  async image(id: string): Promise<StoredImage | undefined> {
    const row = this.sql('SELECT body FROM images WHERE id = ?').get(id) as { body: string } | undefined;
    return row === undefined ? undefined : storedImage(JSON.parse(row.body));
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

