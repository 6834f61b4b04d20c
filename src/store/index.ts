/** Storage behind one interface: the embedded SQLite store in a data folder. */
export { SqliteStore, STORE_FILE } from './sqlite.ts';
export type { FeedSummary, ModelCommand, Page, Store, StoredContainer, StoredFeed } from './store.ts';
