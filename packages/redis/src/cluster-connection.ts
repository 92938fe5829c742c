import { createCluster, type RedisClusterOptions } from '@keyv/redis';
import type { Cluster } from './cluster-scan.js';

/** One cluster client, connected or connecting. */
export interface ClusterLink {
  readonly ready: Promise<Cluster>;
}

/** The cluster client of a store, rebuilt from the root nodes after a failure. */
export interface ClusterConnection {
  /** The current link; a fresh one (the old one is closed) after {@link ClusterConnection.failed}. */
  current(): ClusterLink;
  /** Reports that an operation on `link` failed: the next call rebuilds (new topology, new sockets). */
  failed(link: ClusterLink): void;
  /** A new cluster client with the store's settings (not connected). */
  make(): Cluster;
  close(): Promise<void>;
}

function sleep(ms: number): { done: Promise<false>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, ms, false);
  });
  return { done, cancel: () => clearTimeout(timer) };
}

/**
 * Keeps a node-redis cluster client for a store. Discovery asks one root node (picked at
 * random) for the slots and connects to masters only on first use (`minimizeConnections`), so
 * a dead master never stalls it; a root node that accepts connections but never answers (a hung
 * process) gets a quarter of the timeout before discovery starts over from another one. After a
 * failure of any kind the client is replaced, so a failover or a resharding is seen at once, and
 * commands stuck on a hung node are dropped with the old client.
 */
export function clusterConnection(options: RedisClusterOptions, timeout: number): ClusterConnection {
  const defaults = options.defaults ?? {};
  let link: (ClusterLink & { cluster?: Cluster }) | undefined;
  let closed = false;

  const make = (): Cluster => {
    const cluster = createCluster({
      ...options,
      minimizeConnections: true,
      useReplicas: false,
      defaults: {
        ...defaults,
        disableOfflineQueue: true, // a command to a node that is down fails at once
        socket: {
          connectTimeout: timeout,
          reconnectStrategy: (retries: number) => (retries >= 2 ? false : 100),
          ...defaults.socket,
        },
      },
    } as RedisClusterOptions) as unknown as Cluster;
    cluster.on('error', () => {}); // failures reach callers as rejected operations
    return cluster;
  };

  const retire = (cluster: Cluster) => {
    const timer = setTimeout(() => cluster.destroy(), timeout);
    cluster.close().then(
      () => clearTimeout(timer),
      () => {
        clearTimeout(timer);
        cluster.destroy();
      },
    );
  };

  const discover = async (): Promise<Cluster> => {
    let lastError: unknown;
    for (let attempt = 0; attempt < 8; attempt++) {
      if (closed) break;
      const cluster = make();
      const wait = sleep(Math.max(100, Math.floor(timeout / 4)));
      const connected = await Promise.race([
        cluster.connect().then(
          () => true,
          (error: unknown) => {
            lastError = error;
            return false;
          },
        ),
        wait.done,
      ]);
      wait.cancel();
      if (connected && !closed) return cluster;
      cluster.destroy();
      if (lastError !== undefined) await sleep(50).done;
    }
    throw lastError ?? new Error(closed ? 'the store is closed' : 'no root node answered in time');
  };

  return {
    make,
    current() {
      if (link !== undefined) return link;
      const fresh: ClusterLink & { cluster?: Cluster } = { ready: discover() };
      fresh.ready.then(
        (cluster) => {
          fresh.cluster = cluster;
          if (closed || link !== fresh) retire(cluster);
        },
        () => {
          if (link === fresh) link = undefined;
        },
      );
      link = fresh;
      return fresh;
    },
    failed(failedLink) {
      if (link !== failedLink) return;
      link = undefined;
      failedLink.ready.then(retire, () => {});
    },
    async close() {
      closed = true;
      const last = link;
      link = undefined;
      if (last === undefined) return;
      const wait = sleep(timeout);
      const ready = await Promise.race([
        last.ready.then(
          () => true,
          () => false,
        ),
        wait.done,
      ]);
      wait.cancel(); // no timer may keep the process alive after close
      if (ready && last.cluster !== undefined) await last.cluster.close().catch(() => last.cluster?.destroy());
      else
        last.ready.then(
          (cluster) => cluster.destroy(),
          () => {},
        );
    },
  };
}
