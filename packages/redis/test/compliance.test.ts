import { type RedisServer, redisAvailable, startRedisServer, storeComplianceSuite } from '@credvault/test-suite';
import * as vitest from 'vitest';
import { redisStore } from '../src/index.js';

const available = redisAvailable();
let server: RedisServer | undefined;
vitest.beforeAll(async () => {
  if (available) server = await startRedisServer();
});
vitest.afterAll(() => server?.stop());

vitest.describe.skipIf(!available)('redis', () => {
  storeComplianceSuite(vitest, () => redisStore({ url: server?.url as string }), { name: 'redis' });
  storeComplianceSuite(vitest, () => redisStore({ url: server?.url as string, scanCount: 3 }), {
    name: 'redis (tiny SCAN steps)',
    records: 300,
  });
});
