export type { PostgresConnection } from './connection.js';
export { type PostgresStore, type PostgresStoreOptions, postgresStore } from './postgres-store.js';
export {
  type PostgresTableStore,
  type PostgresTableStoreOptions,
  postgresTableStore,
  type TableStoreSettings,
} from './table-store.js';
