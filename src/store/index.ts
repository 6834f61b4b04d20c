/** Storage behind one interface: SQLite in a data folder (embedded, the default), or PostgreSQL for several console replicas. */
export { SqliteStore, STORE_FILE } from './sqlite.ts';
export { PostgresStore } from './postgres.ts';
export { consoleStore } from './store.ts';
export { PAGE_DEFAULT, PAGE_MAX } from './rows.ts';
export type {
  ApiToken, Change, ConsoleStore, DefenderRecord, FeedSummary, Listing, ModelCommand, ModelQuery, OutboxKind, OutboxRecord, Page, RecordQuery, Role, Session, Store, StoredContainer, StoredFeed, User,
} from './store.ts';
