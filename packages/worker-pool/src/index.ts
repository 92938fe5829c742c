export { type RewrapPool, type RewrapPoolOptions, rewrapPool } from './rewrap-pool.js';
