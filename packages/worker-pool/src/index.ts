export {
  defaultPoolSize,
  MIGRATE_WORKER_LIMITS,
  type MigrateSetup,
  type RewrapPool,
  type RewrapPoolOptions,
  rewrapPool,
  WORKER_LIMITS,
} from './rewrap-pool.js';
