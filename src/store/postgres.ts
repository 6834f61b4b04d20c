// The PostgreSQL store: every role of the Store contract (store.ts) on one
// pool. One file over 400 lines for the same reason as sqlite.ts: the roles
// share the pool, the transaction helper and the migrations, and the two
// files read best side by side, method for method.
import pg from 'pg';
import type { Indicator } from '../intel/index.ts';
import { Audit, Incident, IntentModel, modeKey, ModeSetting, RuntimeEvent, Supermodel, Suppression } from '../model/index.ts';
import { COMMANDS_KEPT_MS, modelColumns, storedImage, modelWhere, pageOfRows, pageSize, recordWhere, type RecordTable } from './rows.ts';
import type {
  ApiToken, Change, DefenderRecord, FeedSummary, Listing, ModelCommand, ModelQuery, Page, RecordQuery, Session, Store, StoredContainer, StoredFeed, StoredImage, User,
} from './store.ts';

/** One step of the schema, up and back down. */
interface Migration {
  up: string;
  down: string;
}

/** Numbered migrations; the version is kept in `tenet_schema`. Text compares bytewise (`C`), as in SQLite, whatever the database's locale. */
const MIGRATIONS: readonly Migration[] = [
  {
    // what a defender reports and what policy it takes
    up: `CREATE TABLE models (id TEXT COLLATE "C" PRIMARY KEY, state TEXT COLLATE "C" NOT NULL, updated_at TEXT COLLATE "C" NOT NULL, image TEXT COLLATE "C", repository TEXT COLLATE "C", namespace TEXT COLLATE "C", body TEXT COLLATE "C" NOT NULL);
      CREATE INDEX models_image ON models (image); CREATE INDEX models_repository ON models (repository); CREATE INDEX models_namespace ON models (namespace);
      CREATE TABLE containers (id TEXT COLLATE "C" PRIMARY KEY, model TEXT COLLATE "C", running BOOLEAN NOT NULL, updated_at TEXT COLLATE "C" NOT NULL, body TEXT COLLATE "C" NOT NULL);
      -- events come in time order, mostly: a block-range index costs next to nothing to keep
      CREATE TABLE events (seq BIGSERIAL PRIMARY KEY, time TEXT COLLATE "C" NOT NULL, container TEXT COLLATE "C", kind TEXT COLLATE "C" NOT NULL, body TEXT COLLATE "C" NOT NULL);
      CREATE TABLE event_sources (source TEXT COLLATE "C" PRIMARY KEY, high BIGINT NOT NULL);
      CREATE INDEX events_time ON events USING brin (time);
      CREATE TABLE audits (seq BIGSERIAL PRIMARY KEY, id TEXT COLLATE "C" UNIQUE NOT NULL, time TEXT COLLATE "C" NOT NULL, rule TEXT COLLATE "C" NOT NULL, severity TEXT COLLATE "C",
        container TEXT COLLATE "C" NOT NULL, model TEXT COLLATE "C", body TEXT COLLATE "C" NOT NULL);
      CREATE INDEX audits_time ON audits (time);
      CREATE TABLE incidents (seq BIGSERIAL PRIMARY KEY, id TEXT COLLATE "C" UNIQUE NOT NULL, last_seen TEXT COLLATE "C" NOT NULL, pattern TEXT COLLATE "C" NOT NULL, severity TEXT COLLATE "C",
        container TEXT COLLATE "C" NOT NULL, body TEXT COLLATE "C" NOT NULL);
      CREATE INDEX incidents_last_seen ON incidents (last_seen);
      CREATE TABLE status (key TEXT COLLATE "C" PRIMARY KEY, updated_at TEXT COLLATE "C" NOT NULL, body TEXT COLLATE "C" NOT NULL);
      CREATE TABLE commands (seq BIGSERIAL PRIMARY KEY, created_at TEXT COLLATE "C" NOT NULL, body TEXT COLLATE "C" NOT NULL);
      CREATE TABLE intel_feeds (name TEXT COLLATE "C" PRIMARY KEY, source TEXT COLLATE "C" NOT NULL, format TEXT COLLATE "C" NOT NULL, every_sec INTEGER, loaded_at TEXT COLLATE "C" NOT NULL,
        indicators INTEGER NOT NULL, notes TEXT COLLATE "C" NOT NULL, body TEXT COLLATE "C" NOT NULL);
      CREATE TABLE suppressions (id TEXT COLLATE "C" PRIMARY KEY, created_at TEXT COLLATE "C" NOT NULL, body TEXT COLLATE "C" NOT NULL);
      CREATE TABLE modes (key TEXT COLLATE "C" PRIMARY KEY, set_at TEXT COLLATE "C" NOT NULL, body TEXT COLLATE "C" NOT NULL);
      CREATE TABLE supermodels (app TEXT COLLATE "C" PRIMARY KEY, updated_at TEXT COLLATE "C" NOT NULL, body TEXT COLLATE "C" NOT NULL);`,
    down: 'DROP TABLE models, containers, events, event_sources, audits, incidents, status, commands, intel_feeds, suppressions, modes, supermodels;',
  },
  {
    // the console's own: who may use it, and what they changed
    up: `CREATE TABLE users (name TEXT COLLATE "C" PRIMARY KEY, role TEXT COLLATE "C" NOT NULL, created_at TEXT COLLATE "C" NOT NULL, body TEXT COLLATE "C" NOT NULL);
      CREATE TABLE tokens (id TEXT COLLATE "C" PRIMARY KEY, hash TEXT COLLATE "C" UNIQUE NOT NULL, username TEXT COLLATE "C" NOT NULL, created_at TEXT COLLATE "C" NOT NULL, body TEXT COLLATE "C" NOT NULL);
      CREATE TABLE sessions (id TEXT COLLATE "C" PRIMARY KEY, username TEXT COLLATE "C" NOT NULL, expires_at TEXT COLLATE "C" NOT NULL, body TEXT COLLATE "C" NOT NULL);
      CREATE TABLE defenders (id TEXT COLLATE "C" PRIMARY KEY, last_seen TEXT COLLATE "C" NOT NULL, body TEXT COLLATE "C" NOT NULL);
      CREATE TABLE changes (seq BIGSERIAL PRIMARY KEY, time TEXT COLLATE "C" NOT NULL, actor TEXT COLLATE "C" NOT NULL, action TEXT COLLATE "C" NOT NULL, body TEXT COLLATE "C" NOT NULL);`,
    down: 'DROP TABLE users, tokens, sessions, defenders, changes;',
  },
  { up: 'CREATE TABLE images (id TEXT COLLATE "C" PRIMARY KEY, read_at TEXT COLLATE "C" NOT NULL, body TEXT COLLATE "C" NOT NULL);', down: 'DROP TABLE images;' },
];

/** Any value a query binds. */
type Value = string | number | boolean | null;

/** `?` placeholders as PostgreSQL's `$1, $2, …` (the statements here hold no other question mark). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** A lock number every replica agrees on, so that only one migrates at a time. */
const MIGRATION_LOCK = 0x7465_6e65;

/**
 * The store of several console replicas: PostgreSQL, the same contract as the
 * embedded SQLite store. Values are always bound, never spliced into SQL.
 */
export class PostgresStore implements Store {
  private readonly pool: pg.Pool;
  private readonly maxEvents: number;

  private constructor(pool: pg.Pool, maxEvents: number) {
    this.pool = pool;
    this.maxEvents = maxEvents;
  }

  /** Connects (a `postgres://` URL) and migrates the schema to this Tenet's version. */
  static async open(url: string, options: { maxEvents?: number; poolSize?: number } = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
    // an idle client whose server went away must not take the process down
    pool.on('error', () => {});
    const store = new PostgresStore(pool, options.maxEvents ?? 200_000);
    try {
      await store.migrateTo(MIGRATIONS.length);
    } catch (e) {
      await pool.end();
      throw e;
    }
    return store;
  }

  private async query<R>(sql: string, params: readonly Value[] = []): Promise<R[]> {
    // PostgreSQL text cannot hold NUL: a value with one matches no row (and would be refused, not compared)
    if (sql.startsWith('SELECT') && params.some((p) => typeof p === 'string' && p.includes('\0'))) return [];
    return (await this.pool.query(numbered(sql), params as Value[])).rows as R[];
  }

  private async transaction<T>(work: (run: <R>(sql: string, params?: readonly Value[]) => Promise<R[]>) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(async <R>(sql: string, params: readonly Value[] = []) => (await client.query(numbered(sql), params as Value[])).rows as R[]);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }

  async schemaVersion(): Promise<number> {
    const exists = await this.query<{ t: string | null }>("SELECT to_regclass('tenet_schema')::text AS t");
    if (exists[0]?.t == null) return 0;
    return (await this.query<{ version: number }>('SELECT version FROM tenet_schema'))[0]?.version ?? 0;
  }

  async migrateTo(target: number): Promise<void> {
    if (!Number.isInteger(target) || target < 0 || target > MIGRATIONS.length) throw new Error(`no schema version ${target} (this Tenet knows 0 to ${MIGRATIONS.length})`);
    await this.transaction(async (run) => {
      await run('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
      await run('CREATE TABLE IF NOT EXISTS tenet_schema (version INTEGER NOT NULL)');
      let version = (await run<{ version: number }>('SELECT version FROM tenet_schema'))[0]?.version;
      if (version === undefined) await run('INSERT INTO tenet_schema (version) VALUES (0)');
      version ??= 0;
      if (version > MIGRATIONS.length) throw new Error(`the store was written by a newer Tenet (schema ${version}, this one knows ${MIGRATIONS.length})`);
      while (version !== target) {
        await run(version < target ? MIGRATIONS[version]!.up : MIGRATIONS[version - 1]!.down);
        version += version < target ? 1 : -1;
        await run('UPDATE tenet_schema SET version = ?', [version]);
      }
    });
  }

  async putModels(models: readonly IntentModel[]): Promise<void> {
    const now = new Date().toISOString();
    await this.transaction(async (run) => {
      for (const m of models) {
        const c = modelColumns(m);
        await run(`INSERT INTO models (id, state, updated_at, image, repository, namespace, body) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET
          state = excluded.state, updated_at = excluded.updated_at, image = excluded.image, repository = excluded.repository, namespace = excluded.namespace, body = excluded.body`,
        [m.id, m.state, now, c.image, c.repository, c.namespace, JSON.stringify(m)]);
      }
    });
  }

  async models(): Promise<IntentModel[]> {
    return (await this.query<{ body: string }>('SELECT body FROM models ORDER BY id')).map((r) => IntentModel.parse(JSON.parse(r.body)));
  }

  async putContainer(container: StoredContainer): Promise<void> {
    await this.query(`INSERT INTO containers (id, model, running, updated_at, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET
      model = excluded.model, running = excluded.running, updated_at = excluded.updated_at, body = excluded.body`,
    [container.id, container.model ?? null, container.running, new Date().toISOString(), JSON.stringify(container)]);
  }

  async removeContainer(id: string): Promise<void> {
    await this.query('DELETE FROM containers WHERE id = ?', [id]);
  }

  async containers(): Promise<StoredContainer[]> {
    return (await this.query<{ body: string }>('SELECT body FROM containers ORDER BY running DESC, id')).map((r) => JSON.parse(r.body) as StoredContainer);
  }

  async addEvents(events: ReadonlyArray<{ event: RuntimeEvent; container?: string }>): Promise<void> {
    if (events.length === 0) return;
    await this.transaction((run) => this.insertEvents(run, events));
  }

  async addEventsFrom(source: string, events: ReadonlyArray<{ seq: number; event: RuntimeEvent; container?: string }>): Promise<void> {
    if (events.length === 0) return;
    await this.transaction(async (run) => {
      // the source's row locked: replicas storing the same source take turns
      await run('INSERT INTO event_sources (source, high) VALUES (?, 0) ON CONFLICT (source) DO NOTHING', [source]);
      const high = Number((await run<{ high: string }>('SELECT high FROM event_sources WHERE source = ? FOR UPDATE', [source]))[0]!.high);
      const fresh = events.filter((e) => e.seq > high);
      if (fresh.length === 0) return;
      await this.insertEvents(run, fresh);
      await run('UPDATE event_sources SET high = ? WHERE source = ?', [fresh.reduce((max, e) => Math.max(max, e.seq), high), source]);
    });
  }

  /** Events in, one statement a batch (arrays unnested, not a round trip an event), the oldest past the bound out. */
  private async insertEvents(run: <R>(sql: string, params?: readonly Value[]) => Promise<R[]>, events: ReadonlyArray<{ event: RuntimeEvent; container?: string }>): Promise<void> {
    await run('INSERT INTO events (time, container, kind, body) SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[])', [
      events.map((e) => e.event.time), events.map((e) => e.container ?? null), events.map((e) => e.event.kind), events.map((e) => JSON.stringify(e.event)),
    ] as unknown as Value[]);
    await run('DELETE FROM events WHERE seq <= (SELECT MAX(seq) FROM events) - ?', [this.maxEvents]);
  }

  async events(page: Page = {}): Promise<RuntimeEvent[]> {
    const rows = await this.query<{ body: string }>('SELECT body FROM events WHERE time >= ? ORDER BY seq DESC LIMIT ?', [page.since ?? '', page.limit ?? 1000]);
    return rows.reverse().map((r) => RuntimeEvent.parse(JSON.parse(r.body)));
  }

  async addAudits(audits: readonly Audit[]): Promise<void> {
    if (audits.length === 0) return;
    await this.query(`INSERT INTO audits (id, time, rule, severity, container, model, body)
      SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) ON CONFLICT (id) DO NOTHING`, [
      audits.map((a) => a.id), audits.map((a) => a.time), audits.map((a) => a.rule), audits.map((a) => a.severity), audits.map((a) => a.container.id),
      audits.map((a) => a.model ?? null), audits.map((a) => JSON.stringify(a)),
    ] as unknown as Value[]);
  }

  async audits(page: Page = {}): Promise<Audit[]> {
    const rows = await this.query<{ body: string }>('SELECT body FROM audits WHERE time >= ? ORDER BY seq DESC LIMIT ?', [page.since ?? '', page.limit ?? 1000]);
    return rows.reverse().map((r) => Audit.parse(JSON.parse(r.body)));
  }

  async putIncidents(incidents: readonly Incident[]): Promise<void> {
    await this.transaction(async (run) => {
      for (const i of incidents) {
        if (i.mergedInto !== undefined) {
          await run('DELETE FROM incidents WHERE id = ?', [i.id]);
          continue;
        }
        await run(`INSERT INTO incidents (id, last_seen, pattern, severity, container, body) VALUES (?, ?, ?, ?, ?, ?)
          ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, pattern = excluded.pattern, severity = excluded.severity, body = excluded.body`,
        [i.id, i.lastSeen, i.pattern, i.severity, i.container.id, JSON.stringify(i)]);
      }
    });
  }

  async incidents(page: Page = {}): Promise<Incident[]> {
    const rows = await this.query<{ body: string }>('SELECT body FROM incidents WHERE last_seen >= ? ORDER BY last_seen DESC LIMIT ?', [page.since ?? '', page.limit ?? 1000]);
    return rows.reverse().map((r) => Incident.parse(JSON.parse(r.body)));
  }

  async putSuppression(suppression: Suppression): Promise<void> {
    await this.query('INSERT INTO suppressions (id, created_at, body) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at, body = excluded.body',
      [suppression.id, suppression.createdAt, JSON.stringify(suppression)]);
  }

  async removeSuppression(id: string): Promise<boolean> {
    return (await this.query('DELETE FROM suppressions WHERE id = ? RETURNING id', [id])).length > 0;
  }

  async suppressions(): Promise<Suppression[]> {
    return (await this.query<{ body: string }>('SELECT body FROM suppressions ORDER BY created_at')).map((r) => Suppression.parse(JSON.parse(r.body)));
  }

  async putSupermodels(supermodels: readonly Supermodel[]): Promise<void> {
    const now = new Date().toISOString();
    await this.transaction(async (run) => {
      for (const s of supermodels) {
        await run('INSERT INTO supermodels (app, updated_at, body) VALUES (?, ?, ?) ON CONFLICT (app) DO UPDATE SET updated_at = excluded.updated_at, body = excluded.body', [s.app, now, JSON.stringify(s)]);
      }
    });
  }

  async supermodels(): Promise<Supermodel[]> {
    return (await this.query<{ body: string }>('SELECT body FROM supermodels ORDER BY app')).map((r) => Supermodel.parse(JSON.parse(r.body)));
  }

  async putMode(setting: ModeSetting): Promise<void> {
    await this.query('INSERT INTO modes (key, set_at, body) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET set_at = excluded.set_at, body = excluded.body',
      [modeKey(setting), setting.setAt, JSON.stringify(setting)]);
  }

  async removeMode(setting: Pick<ModeSetting, 'scope' | 'dimension'>): Promise<boolean> {
    return (await this.query('DELETE FROM modes WHERE key = ? RETURNING key', [modeKey(setting)])).length > 0;
  }

  async modes(): Promise<ModeSetting[]> {
    return (await this.query<{ body: string }>('SELECT body FROM modes ORDER BY set_at, key')).map((r) => ModeSetting.parse(JSON.parse(r.body)));
  }

  async putStatus(key: string, value: unknown): Promise<void> {
    await this.query('INSERT INTO status (key, updated_at, body) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET updated_at = excluded.updated_at, body = excluded.body',
      [key, new Date().toISOString(), JSON.stringify(value)]);
  }

  async status(key: string): Promise<{ updatedAt: string; value: unknown } | undefined> {
    const row = (await this.query<{ updated_at: string; body: string }>('SELECT updated_at, body FROM status WHERE key = ?', [key]))[0];
    return row === undefined ? undefined : { updatedAt: row.updated_at, value: JSON.parse(row.body) };
  }

  async enqueueCommand(command: ModelCommand): Promise<void> {
    const now = Date.now();
    await this.transaction(async (run) => {
      await run('DELETE FROM commands WHERE created_at < ?', [new Date(now - COMMANDS_KEPT_MS).toISOString()]);
      await run('INSERT INTO commands (created_at, body) VALUES (?, ?)', [new Date(now).toISOString(), JSON.stringify(command)]);
    });
  }

  async commandsSince(after: number): Promise<Array<{ seq: number; command: ModelCommand }>> {
    return (await this.query<{ seq: string; body: string }>('SELECT seq, body FROM commands WHERE seq > ? ORDER BY seq', [after]))
      .map((r) => ({ seq: Number(r.seq), command: JSON.parse(r.body) as ModelCommand }));
  }

  async takeCommands(): Promise<ModelCommand[]> {
    // replicas taking at once each get different commands, every command once
    const rows = await this.query<{ seq: string; body: string }>(`DELETE FROM commands WHERE seq IN (SELECT seq FROM commands ORDER BY seq FOR UPDATE SKIP LOCKED)
      RETURNING seq, body`);
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map((r) => JSON.parse(r.body) as ModelCommand);
  }

  async putFeed(feed: StoredFeed): Promise<void> {
    await this.query(`INSERT INTO intel_feeds (name, source, format, every_sec, loaded_at, indicators, notes, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET source = excluded.source, format = excluded.format, every_sec = excluded.every_sec, loaded_at = excluded.loaded_at,
      indicators = excluded.indicators, notes = excluded.notes, body = excluded.body`,
    [feed.name, feed.source, feed.format, feed.everySec ?? null, feed.loadedAt, feed.indicators.length, JSON.stringify(feed.notes), JSON.stringify(feed.indicators)]);
  }

  async removeFeed(name: string): Promise<boolean> {
    return (await this.query('DELETE FROM intel_feeds WHERE name = ? RETURNING name', [name])).length > 0;
  }

  async feeds(): Promise<FeedSummary[]> {
    const rows = await this.query<{ name: string; source: string; format: string; every_sec: number | null; loaded_at: string; indicators: number; notes: string }>(
      'SELECT name, source, format, every_sec, loaded_at, indicators, notes FROM intel_feeds ORDER BY name');
    return rows.map((r) => ({
      name: r.name, source: r.source, format: r.format as FeedSummary['format'], loadedAt: r.loaded_at, count: r.indicators, notes: JSON.parse(r.notes) as string[],
      ...(r.every_sec !== null && { everySec: r.every_sec }),
    }));
  }

  async feedIndicators(): Promise<Indicator[]> {
    return (await this.query<{ body: string }>('SELECT body FROM intel_feeds ORDER BY name')).flatMap((r) => JSON.parse(r.body) as Indicator[]);
  }

  async queryModels(query: ModelQuery): Promise<Listing<IntentModel, string>> {
    const size = pageSize(query.limit);
    const { where, params } = modelWhere(query);
    const rows = await this.query<{ id: string; body: string }>(`SELECT id, body FROM models WHERE ${where} ORDER BY id LIMIT ?`, [...params, size + 1]);
    return pageOfRows(rows, size, (r) => IntentModel.parse(JSON.parse(r.body)), (r) => r.id);
  }

  async model(id: string): Promise<IntentModel | undefined> {
    const row = (await this.query<{ body: string }>('SELECT body FROM models WHERE id = ?', [id]))[0];
    return row === undefined ? undefined : IntentModel.parse(JSON.parse(row.body));
  }

  private async records(table: RecordTable, query: RecordQuery) {
    const size = pageSize(query.limit);
    const { where, params } = recordWhere(table, query);
    const rows = await this.query<{ seq: string; body: string }>(`SELECT seq, body FROM ${table} WHERE ${where} ORDER BY seq DESC LIMIT ?`, [...params, size + 1]);
    return { rows, size };
  }

  async queryAudits(query: RecordQuery): Promise<Listing<Audit, number>> {
    const { rows, size } = await this.records('audits', query);
    return pageOfRows(rows, size, (r) => Audit.parse(JSON.parse(r.body)), (r) => Number(r.seq));
  }

  async queryIncidents(query: RecordQuery): Promise<Listing<Incident, number>> {
    const { rows, size } = await this.records('incidents', query);
    return pageOfRows(rows, size, (r) => Incident.parse(JSON.parse(r.body)), (r) => Number(r.seq));
  }

  async incident(id: string): Promise<Incident | undefined> {
    const row = (await this.query<{ body: string }>('SELECT body FROM incidents WHERE id = ?', [id]))[0];
    return row === undefined ? undefined : Incident.parse(JSON.parse(row.body));
  }

  async queryEvents(query: RecordQuery): Promise<Listing<RuntimeEvent, number>> {
    const { rows, size } = await this.records('events', query);
    return pageOfRows(rows, size, (r) => RuntimeEvent.parse(JSON.parse(r.body)), (r) => Number(r.seq));
  }

  async putUser(user: User): Promise<void> {
    await this.query('INSERT INTO users (name, role, created_at, body) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET role = excluded.role, body = excluded.body',
      [user.name, user.role, user.createdAt, JSON.stringify(user)]);
  }

  async user(name: string): Promise<User | undefined> {
    const row = (await this.query<{ body: string }>('SELECT body FROM users WHERE name = ?', [name]))[0];
    return row === undefined ? undefined : (JSON.parse(row.body) as User);
  }

  async users(): Promise<User[]> {
    return (await this.query<{ body: string }>('SELECT body FROM users ORDER BY name')).map((r) => JSON.parse(r.body) as User);
  }

  async removeUser(name: string): Promise<boolean> {
    return this.transaction(async (run) => {
      await run('DELETE FROM tokens WHERE username = ?', [name]);
      await run('DELETE FROM sessions WHERE username = ?', [name]);
      return (await run('DELETE FROM users WHERE name = ? RETURNING name', [name])).length > 0;
    });
  }

  async putToken(token: ApiToken): Promise<void> {
    await this.query(`INSERT INTO tokens (id, hash, username, created_at, body) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, username = excluded.username, body = excluded.body`, [token.id, token.hash, token.user, token.createdAt, JSON.stringify(token)]);
  }

  async tokenByHash(hash: string): Promise<ApiToken | undefined> {
    const row = (await this.query<{ body: string }>('SELECT body FROM tokens WHERE hash = ?', [hash]))[0];
    return row === undefined ? undefined : (JSON.parse(row.body) as ApiToken);
  }

  async tokens(): Promise<ApiToken[]> {
    return (await this.query<{ body: string }>('SELECT body FROM tokens ORDER BY created_at, id')).map((r) => JSON.parse(r.body) as ApiToken);
  }

  async removeToken(id: string): Promise<boolean> {
    return (await this.query('DELETE FROM tokens WHERE id = ? RETURNING id', [id])).length > 0;
  }

  async putSession(session: Session): Promise<void> {
    await this.query('INSERT INTO sessions (id, username, expires_at, body) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at, body = excluded.body',
      [session.id, session.user, session.expiresAt, JSON.stringify(session)]);
  }

  async session(id: string, now: string): Promise<Session | undefined> {
    await this.query('DELETE FROM sessions WHERE expires_at <= ?', [now]);
    const row = (await this.query<{ body: string }>('SELECT body FROM sessions WHERE id = ?', [id]))[0];
    return row === undefined ? undefined : (JSON.parse(row.body) as Session);
  }

  async removeSession(id: string): Promise<void> {
    await this.query('DELETE FROM sessions WHERE id = ?', [id]);
  }

  async putDefender(defender: DefenderRecord): Promise<void> {
    await this.query('INSERT INTO defenders (id, last_seen, body) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, body = excluded.body',
      [defender.id, defender.lastSeen, JSON.stringify(defender)]);
  }

  async defenders(): Promise<DefenderRecord[]> {
    return (await this.query<{ body: string }>('SELECT body FROM defenders ORDER BY id')).map((r) => JSON.parse(r.body) as DefenderRecord);
  }

  async addChange(change: Change): Promise<void> {
    await this.query('INSERT INTO changes (time, actor, action, body) VALUES (?, ?, ?, ?)', [change.time, change.actor, change.action, JSON.stringify(change)]);
  }

  async changes(query: { before?: number; limit?: number }): Promise<Listing<Change, number>> {
    const size = pageSize(query.limit);
    const rows = await this.query<{ seq: string; body: string }>('SELECT seq, body FROM changes WHERE seq < ? ORDER BY seq DESC LIMIT ?', [query.before ?? Number.MAX_SAFE_INTEGER, size + 1]);
    return pageOfRows(rows, size, (r) => JSON.parse(r.body) as Change, (r) => Number(r.seq));
  }

  async putImage(image: StoredImage): Promise<void> {
    await this.query('INSERT INTO images (id, read_at, body) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET read_at = excluded.read_at, body = excluded.body',
      [image.id, image.readAt, JSON.stringify(image)]);
  }

  async image(id: string): Promise<StoredImage | undefined> {
    const row = (await this.query<{ body: string }>('SELECT body FROM images WHERE id = ?', [id]))[0];
    return row === undefined ? undefined : storedImage(JSON.parse(row.body));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
