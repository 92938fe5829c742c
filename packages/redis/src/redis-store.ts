import type { CompleteStore, Lease } from '@credvault/core';
import type KeyvRedis from '@keyv/redis';
import type { RedisClientOptions, RedisClusterOptions } from '@keyv/redis';
import { clusterStore } from './cluster-store.js';
import { clusterOptionsFromUrl, isClusterUrl, safeWhere } from './cluster-url.js';
import type { DurabilityOptions } from './durability.js';
import { singleStore } from './single-store.js';

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

/**
 * The shared store: Redis over `@keyv/redis`, for many service instances, on one server or a
 * Redis Cluster with the same behaviour. Compare-and-set runs atomically on the server (a Lua
 * script, EVALSHA with an EVAL fallback on a node that does not know it), batches are pipelined,
 * iteration uses `SCAN` (on every master of a cluster, again while slots move) and yields each
 * key once, and leases are `SET NX PX` released only by their owner.
 *
 * Commands are never queued while a connection is down and every operation has a timeout,
 * so an outage or a failover is a prompt `STORE_FAILED`, never a hang or a silent fallback;
 * the client reconnects (on a cluster: rediscovers the masters) and calls work again after.
 * Replication is asynchronous unless `waitForReplicas` is set (see the package README).
 *
 * @throws VaultError `INVALID_ARGUMENT` for a malformed cluster URL or `waitForReplicas`.
 * @throws VaultError `STORE_FAILED` from every operation when Redis fails or times out.
 */
export function redisStore(options: RedisStoreOptions = {}): RedisStore {
  if (options.cluster !== undefined) {
    const address = (node: { url?: string; socket?: unknown }) => {
      const socket = node.socket as { host?: string; port?: number } | undefined;
      return node.url === undefined ? `${socket?.host ?? '?'}:${socket?.port ?? '?'}` : safeWhere(node.url);
    };
    const where = options.cluster.rootNodes.map(address).join(',');
    return clusterStore(options.cluster, where, options);
  }
  if (options.url !== undefined && isClusterUrl(options.url)) {
    const fromUrl = clusterOptionsFromUrl(options.url);
    return clusterStore(fromUrl, safeWhere(options.url), options);
  }
  return singleStore(options);
}
