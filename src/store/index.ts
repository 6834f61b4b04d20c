/** Storage behind one interface: SQLite in a data folder (embedded, the default), or PostgreSQL for several console replicas. */
export { BUSY_TIMEOUT_MS, isStoreBusy, SqliteStore, STORE_FILE } from './sqlite.ts';
export { PostgresStore } from './postgres.ts';
export { PAGE_DEFAULT, PAGE_MAX } from './rows.ts';
export type {
  ApiToken, AuthStore, Change, ContainerStore, DefenderRecord, DefenderStore, FeedStore, FeedSummary, GraphStore, ImageStore, Listing, ModelCommand, ModelQuery, ModelStore, Outbox, OutboxKind,
  OutboxRecord, Page, PolicyStore, RecordQuery, RecordStore, Role, SchemaStore, Session, StatusStore, Store, StoredContainer, StoredFeed, StoredImage, User,
} from './store.ts';
