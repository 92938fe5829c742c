export { SUITE_SECRETS, suiteConnection } from './fixture.js';
export { hasRedisServer, type RedisServer, redisAvailable, startRedisServer } from './redis-server.js';
export {
  type ComplianceOptions,
  type MakeStore,
  type StoreLacks,
  storeComplianceSuite,
  type TestApi,
} from './suite.js';
