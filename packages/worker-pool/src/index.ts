export {
  defaultPoolSize,
  type RewrapPool,
  type RewrapPoolOptions,
  rewrapPool,
  WORKER_LIMITS,
} from './rewrap-pool.js';
