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
