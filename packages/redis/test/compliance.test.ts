import { storeComplianceSuite, useRedisServer } from '@credvault/test-suite';
import * as vitest from 'vitest';
import { redisStore } from '../src/index.js';

const redis = useRedisServer(vitest);

vitest.describe.skipIf(!redis.available)('redis', () => {
  storeComplianceSuite(vitest, () => redisStore({ url: redis.url() }), { name: 'redis' });
  storeComplianceSuite(vitest, () => redisStore({ url: redis.url(), scanCount: 3 }), {
    name: 'redis (tiny SCAN steps)',
    records: 300,
  });
});
