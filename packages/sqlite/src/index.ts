export { type SqliteStore, type SqliteStoreOptions, sqliteStore } from './sqlite-store.js';
export type { SqliteTableStoreOptions, TableStoreOptions } from './table-options.js';
export { sqliteTableStore } from './table-store.js';
