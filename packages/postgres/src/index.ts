export type { PostgresConnection } from './connection.js';
export { type PostgresStore, type PostgresStoreOptions, postgresStore } from './postgres-store.js';
