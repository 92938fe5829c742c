import type { CompleteStore, Lease } from '@credvault/core';
import type KeyvRedis from '@keyv/redis';
import type { RedisClientOptions, RedisClusterOptions } from '@keyv/redis';
import type { DurabilityOptions } from './durability.js';

/** Options of {@link redisStore}. */
export interface RedisStoreOptions extends DurabilityOptions {
  /**
   * Server URL. Default `redis://127.0.0.1:6379`. `redis+cluster://host:port,host:port`
   * (`rediss+cluster://` for TLS, `user:password@` before the first host) names a Redis Cluster.
   */
  readonly url?: string;
  /** Further node-redis client options (TLS, credentials, database, ...) for a single node. */
  readonly client?: Omit<RedisClientOptions, 'url'>;
  /**
   * A Redis Cluster instead of one server: node-redis cluster options, at least `rootNodes`
   * (e.g. `[{ url: 'redis://10.0.0.1:6379' }, ...]`); `defaults` carries credentials and TLS
   * for every node. `minimizeConnections` and `useReplicas` are set by the store.
   */
  readonly cluster?: RedisClusterOptions;
  /** Longest any one operation may take before it rejects with `STORE_FAILED`, in ms. Default 5000. */
  readonly timeout?: number;
  /** Keys asked for per SCAN step. Default 500. */
  readonly scanCount?: number;
}

/** A Redis {@link VaultStore}, with the `@keyv/redis` adapter underneath. */
export interface RedisStore extends CompleteStore {
  /**
   * The adapter; its `client` runs any other Redis command. On a cluster it has its own cluster
   * client, connected by `await adapter.getClient()`.
   */
  readonly adapter: KeyvRedis<string>;
  lease(name: string, ttlMs: number): Promise<Lease | undefined>;
}
