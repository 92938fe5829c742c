export { SUITE_SECRETS, suiteConnection } from './fixture.js';
export { type KmsServer, type KmsTestKey, startKmsServer, useKmsServer } from './kms-server.js';
export {
  hasPostgresServer,
  POSTGRES_BIN,
  type PostgresServer,
  postgresAvailable,
  startPostgresServer,
  type TestPostgres,
  usePostgresServer,
} from './postgres-server.js';
export { type ProviderTestApi, type ProviderUnderTest, providerComplianceSuite } from './provider-suite.js';
export {
  type RedisClusterNode,
  type RedisClusterServers,
  startRedisCluster,
  type TestRedisCluster,
  useRedisCluster,
} from './redis-cluster.js';
export {
  hasRedisServer,
  type RedisServer,
  type RedisServerOptions,
  redisAvailable,
  startRedisServer,
  type TestRedis,
  useRedisServer,
} from './redis-server.js';
export { hasSoftHsm, SOFTHSM_MODULE, type TestSoftHsm, useSoftHsm } from './softhsm.js';
export {
  type ComplianceOptions,
  capabilitiesSuite,
  type MakeStore,
  type StoreLacks,
  storeComplianceSuite,
  type TestApi,
} from './suite.js';
export { basicStoreSuite } from './suite-basic.js';
export { batchSuite, countSuite } from './suite-batch.js';
export { compareAndSetSuite } from './suite-cas.js';
export type { SuitePartOptions } from './suite-context.js';
export { iterationSuite } from './suite-iteration.js';
export { replacePrefixSuite } from './suite-replace-prefix.js';
export { vaultOnStoreSuite } from './suite-vault.js';
export { useTempDir } from './temp-dir.js';
export { type BackendLifecycle, type Hooks, useBackend } from './use-backend.js';
