export { createVault } from './create-vault.js';
export type { VaultEvent, VaultEventBase, VaultEventType, VaultListener } from './events.js';
export type { KeyStatus, VerifyFailure, VerifyReport } from './maintenance.js';
export { MAX_TENANT_CACHE_TTL_MS } from './options.js';
export { RETIRE_GRACE_MS } from './tenant-ops.js';
export type {
  EntriesOptions,
  Refresher,
  RefreshOptions,
  ShredReport,
  TenantRotateOptions,
  TenantRotateReport,
  UpdateOptions,
  Updater,
  Vault,
  VaultEntry,
  VaultOptions,
  Where,
} from './types.js';
