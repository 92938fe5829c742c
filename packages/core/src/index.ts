export { type CryptoBackend, cryptoBackend, cryptoReady } from './aead.js';
export {
  type CachedKeys,
  cachedKeys,
  type UnwrapCacheEvent,
  type UnwrapCacheOptions,
  type UnwrapCacheStats,
} from './cached-keys.js';
export { canonicalJson } from './canonical-json.js';
export { type CombineKeysOptions, combineKeys } from './combined-keys.js';
export { withDeadline } from './deadline.js';
export {
  type EnvelopeParts,
  envelopeKid,
  FORMAT_VERSION,
  formatEnvelope,
  parseEnvelope,
} from './envelope-text.js';
export {
  isVaultError,
  VaultError,
  VaultErrorCode,
  type VaultErrorOptions,
  type VaultIssue,
} from './errors.js';
export type { VaultEvent, VaultEventBase, VaultEventType, VaultListener } from './events.js';
export {
  DEFAULT_REFRESH_SKEW_MS,
  type ExpiryOptions,
  expiresAt,
  type NeedsRefreshOptions,
  needsRefresh,
} from './expiry.js';
export {
  type DateFieldSchema,
  dateField,
  type JsonObject,
  type JsonObjectSchema,
  type JsonValue,
  jsonObjectField,
  toDate,
} from './fields.js';
export { type KeySpec, type OpenKeyListOptions, openKeyList, parseKeySpecs } from './key-list.js';
export {
  type Awaitable,
  createKeyring,
  type EnvVariables,
  formatKeyEntry,
  generateKey,
  KEY_LENGTH,
  type KeyEncryptionKeys,
  type KeyEntry,
  Keyring,
  keyringFromEnv,
  parseKeyList,
} from './keyring.js';
export { type FetchPage, keysetEntries, prefixEnd } from './keyset.js';
export { keyvStore } from './keyv-store.js';
export { type AcquireLease, leaseFor } from './lease.js';
export type { KeyStatus, VerifyFailure, VerifyReport } from './maintenance.js';
export { type MemoryStore, memoryStore } from './memory-store.js';
export type { RecordCacheOptions } from './record-cache.js';
export { REDACTED, type Redacted, redact } from './redact.js';
export { keyUnavailable, type RemoteKey, type RemoteKeyEntry, remoteKeys } from './remote-key.js';
export { type RewrapExecutor, type RewrapResult, rewrapBatch } from './rewrap-executor.js';
export type { RotateFailure, RotateOptions, RotateProgress, RotateReport } from './rotate-types.js';
export {
  type AnyCredentialSchema,
  type CredentialObjectSchema,
  type CredentialSchema,
  type DefineCredentialSchemaOptions,
  defineCredentialSchema,
  type InputOf,
  type OutputOf,
  type ReadableOf,
  type SecretOf,
} from './schema.js';
export {
  type Connection,
  type ConnectionInput,
  type ConnectionSecret,
  connectionSchema,
  type TokenType,
} from './schemas/connection.js';
export {
  type ConnectionAuth,
  type ConnectionAuthInput,
  type ConnectionAuthSecret,
  connectionAuthSchema,
} from './schemas/connection-auth.js';
export type { CompleteStore, Lease, VaultStore } from './store.js';
export { checkDistinctKeys } from './store-checks.js';
export type { TenantOf } from './tenancy.js';
export { isTenantKid, TENANT_RECORD_PREFIX, type TenantCustody } from './tenant-keys.js';
export { RETIRE_GRACE_MS, type ShredReport, type TenantRotateOptions, type TenantRotateReport } from './tenant-ops.js';
export { isTenantKeyGone } from './tenants.js';
export { createVault } from './vault.js';
export { MAX_TENANT_CACHE_TTL_MS } from './vault-checks.js';
export type {
  EntriesOptions,
  Refresher,
  RefreshOptions,
  UpdateOptions,
  Updater,
  Vault,
  VaultEntry,
  VaultOptions,
  Where,
} from './vault-types.js';
export { masterKeyContext, unwrapKeyring, type WrappedKeyEntry, wrapKeyEntry } from './wrapped-keyring.js';
