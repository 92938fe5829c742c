import type { RedisClusterType } from '@keyv/redis';
import { clusterScan, logicalKey } from './hash-tags.js';
import { SeenKeys } from './seen-keys.js';

/** The node-redis cluster client the cluster store runs on. */
export type Cluster = RedisClusterType;

/** What {@link clusterEntries} needs from the cluster store. */
export interface ScanAccess {
  run<T>(operation: string, work: (cluster: Cluster) => Promise<T>): Promise<T>;
  /** The values of keys as the store's callers name them (not as Redis keys). */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  readonly scanCount: number;
}

/** Which masters own slots, and whether any slot is being migrated between them. */
interface Topology {
  /** Every master owning slots, with its config epoch and slot ranges, in every master's view. */
  readonly signature: string;
  /** Their `host:port` addresses. */
  readonly masters: readonly string[];
  /** False while a slot is MIGRATING or IMPORTING (keys are moving). */
  readonly settled: boolean;
}

/** Reads `CLUSTER NODES` from every master the client knows. */
async function topology(cluster: Cluster): Promise<Topology> {
  const views = await Promise.all(
    cluster.masters.map(async (node) =>
      String(await (await cluster.nodeClient(node)).sendCommand(['CLUSTER', 'NODES'])),
    ),
  );
  const lines = new Set<string>();
  const masters = new Set<string>();
  let settled = true;
  for (const view of views) {
    for (const line of view.split('\n')) {
      const [id, address, flags, , , , epoch, , ...slots] = line.trim().split(' ');
      if (id === undefined || address === undefined || !flags?.split(',').includes('master')) continue;
      if (slots.some((slot) => slot.startsWith('['))) settled = false; // [slot->-id] / [slot-<-id]
      const owned = slots.filter((slot) => !slot.startsWith('['));
      if (owned.length === 0) continue;
      lines.add(`${id} ${epoch} ${owned.join(' ')}`);
      masters.add(address.split('@')[0] as string);
    }
  }
  return { signature: [...lines].sort().join('\n'), masters: [...masters].sort(), settled };
}

/**
 * Every `[key, value]` under `prefix` on a cluster, each key once (Redis keys read back as the
 * keys the store's callers wrote, see `logicalKey`): SCANs every master that owns
 * slots, one after the other, and repeats the pass (yielding only keys not seen yet) until a
 * whole pass ran with no slot migrating and the same slot owners before and after it. A key
 * that moved from a master not yet scanned to one already scanned is found by the next pass,
 * so a resharding during the iteration skips nothing.
 */
export async function* clusterEntries(access: ScanAccess, prefix: string): AsyncGenerator<readonly [string, string]> {
  const seen = new SeenKeys(prefix);
  const { match, check } = clusterScan(prefix);
  let before = await access.run('iterate', topology);
  for (;;) {
    for (const address of before.masters) {
      const scan = await access.run('iterate', async (cluster) => {
        const node = cluster.nodeByAddress.get(address);
        if (node === undefined) throw new Error(`master ${address} is not in the client's topology yet`);
        return (await cluster.nodeClient(node)).scanIterator({ MATCH: match, COUNT: access.scanCount });
      });
      for (;;) {
        const next = await access.run('iterate', () => scan.next());
        if (next.done === true) break;
        const keys = (next.value as string[])
          .map(logicalKey)
          .filter((key) => (!check || key.startsWith(prefix)) && seen.add(key)); // adds as it filters
        if (keys.length === 0) continue;
        const values = await access.getMany(keys);
        for (const [i, key] of keys.entries()) {
          const value = values[i];
          if (value !== undefined) yield [key, value] as const; // deleted since the scan saw it: skip
        }
      }
    }
    const after = await access.run('iterate', topology);
    if (before.settled && after.settled && before.signature === after.signature) return;
    before = after;
    await new Promise((resolve) => setTimeout(resolve, 50)); // keys are moving: look again shortly
  }
}

/** How many keys start with `prefix` on every master (an estimate for progress, like SCAN). */
export async function clusterCount(access: ScanAccess, prefix: string): Promise<number> {
  return access.run('count', async (cluster) => {
    let n = 0;
    const { match, check } = clusterScan(prefix);
    for (const node of cluster.masters) {
      const client = await cluster.nodeClient(node);
      for await (const keys of client.scanIterator({ MATCH: match, COUNT: access.scanCount }))
        n += check ? keys.filter((key) => logicalKey(key).startsWith(prefix)).length : keys.length;
    }
    return n;
  });
}
