export { SUITE_SECRETS, suiteConnection } from './fixture.js';
export {
  type Hooks,
  hasRedisServer,
  type RedisServer,
  redisAvailable,
  startRedisServer,
  type TestRedis,
  useRedisServer,
} from './redis-server.js';
export {
  type ComplianceOptions,
  type MakeStore,
  type StoreLacks,
  storeComplianceSuite,
  type TestApi,
} from './suite.js';
export { useTempDir } from './temp-dir.js';
