export { clusterOptionsFromUrl, isClusterUrl } from './cluster-url.js';
export type { DurabilityOptions } from './durability.js';
export type { RedisStore, RedisStoreOptions } from './options.js';
export { redisStore } from './redis-store.js';
