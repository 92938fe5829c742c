import { clusterStore } from './cluster-store.js';
import { clusterOptionsFromUrl, isClusterUrl, safeWhere } from './cluster-url.js';
import type { RedisStore, RedisStoreOptions } from './options.js';
import { singleStore } from './single-store.js';

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
 * This entry only picks the mode: {@link clusterStore} for `cluster` options or a
 * `redis+cluster://` URL, {@link singleStore} otherwise.
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
    return clusterStore(clusterOptionsFromUrl(options.url), safeWhere(options.url), options);
  }
  return singleStore(options);
}
