import { storeComplianceSuite, useRedisCluster } from '@credvault/test-suite';
import * as vitest from 'vitest';
import { redisStore } from '../src/index.js';

const cluster = useRedisCluster(vitest);

vitest.describe.skipIf(!cluster.available)('redis cluster', () => {
  storeComplianceSuite(vitest, () => redisStore({ url: cluster.url() }), { name: 'redis cluster' });
  storeComplianceSuite(vitest, () => redisStore({ url: cluster.url(), scanCount: 3 }), {
    name: 'redis cluster (tiny SCAN steps)',
    records: 300,
  });
  storeComplianceSuite(
    vitest,
    () => {
      const [first, ...rest] = cluster.url().slice('redis+cluster://'.length).split(',');
      const rootNodes = [first, rest[0]].map((address) => ({ url: `redis://${address}` }));
      return redisStore({ cluster: { rootNodes }, waitForReplicas: 1 });
    },
    { name: 'redis cluster (rootNodes, waitForReplicas: 1)', records: 300 },
  );
});

vitest.describe.skipIf(!cluster.available)('redisStore leases on a cluster', () => {
  vitest.it('gives a lease to one owner at a time, released and extended only by its owner', async () => {
    const [a, b] = [redisStore({ url: cluster.url() }), redisStore({ url: cluster.url() })];
    for (const name of ['lease:a', 'lease:b', 'lease:c']) {
      const taken = await Promise.all([a.lease(name, 10_000), b.lease(name, 10_000), a.lease(name, 10_000)]);
      vitest.expect(taken.filter((lease) => lease !== undefined)).toHaveLength(1);
      const lease = taken.find((l) => l !== undefined);
      vitest.expect(await b.get(name)).toBe(lease?.token);
      vitest.expect(await lease?.extend(20_000)).toBe(true);
      const client = (await b.adapter.getClient()) as typeof b.adapter.client; // connects the adapter's own client
      vitest.expect(await client.pTTL(name)).toBeGreaterThan(10_000);
      await b.set(name, 'someone-else'); // another owner after expiry
      vitest.expect(await lease?.release()).toBe(false);
      vitest.expect(await lease?.extend(5000)).toBe(false);
      vitest.expect(await a.get(name)).toBe('someone-else');
      await a.delete(name);
      const again = await b.lease(name, 10_000);
      vitest.expect(await again?.release()).toBe(true);
      vitest.expect(await a.has(name)).toBe(false);
    }
    await Promise.all([a.close(), b.close()]);
  });
});
