export { createVault } from './create-vault.js';
export type { VaultEvent, VaultEventBase, VaultEventType, VaultListener } from './events.js';
export type { MaskedEntry, MaskedRefresher, MaskedUpdater, MaskedVault } from './masked-vault.js';
export { MAX_TENANT_CACHE_TTL_MS } from './options.js';
export {
  type LegacyMigratorOptions,
  legacyMigrator,
  type MigrateResult,
  type SealExecutor,
  type SealResult,
  sealBatch,
} from './seal-executor.js';
export { createSealer, type Sealer, type SealerOptions } from './sealer.js';
export { RETIRE_GRACE_MS } from './tenant-ops.js';
export type {
  EntriesOptions,
  KeyStatus,
  MigrateOptions,
  MigrateReport,
  Refresher,
  RefreshOptions,
  SecretsMode,
  ShredReport,
  TenantRotateOptions,
  TenantRotateReport,
  UpdateOptions,
  Updater,
  Vault,
  VaultEntry,
  VaultOptions,
  VerifyFailure,
  VerifyReport,
  Where,
} from './types.js';
