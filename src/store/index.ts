/** Storage behind one interface: the embedded SQLite store in a data folder. */
export { SqliteStore, STORE_FILE } from './sqlite.ts';
export type { ModelCommand, Page, Store, StoredContainer } from './store.ts';
