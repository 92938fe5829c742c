export { clusterOptionsFromUrl, isClusterUrl } from './cluster-url.js';
export type { DurabilityOptions } from './durability.js';
export { type RedisStore, type RedisStoreOptions, redisStore } from './redis-store.js';
