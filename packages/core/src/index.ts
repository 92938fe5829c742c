export { type CryptoBackend, cryptoBackend, cryptoReady } from './crypto/aead.js';
export {
  isVaultError,
  VaultError,
  VaultErrorCode,
  type VaultErrorOptions,
  type VaultIssue,
} from './errors/vault-error.js';
export { canonicalJson } from './format/canonical-json.js';
export {
  type EnvelopeParts,
  envelopeKid,
  FORMAT_VERSION,
  formatEnvelope,
  parseEnvelope,
} from './format/envelope-text.js';
export {
  type CachedKeys,
  cachedKeys,
  type UnwrapCacheEvent,
  type UnwrapCacheOptions,
  type UnwrapCacheStats,
} from './keys/cached-keys.js';
export { type CombineKeysOptions, combineKeys } from './keys/combined-keys.js';
export { type KeySpec, type OpenKeyListOptions, openKeyList, parseKeySpecs } from './keys/key-list.js';
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
} from './keys/keyring.js';
export { keyUnavailable, type RemoteKey, type RemoteKeyEntry, remoteKeys } from './keys/remote-key.js';
export { masterKeyContext, unwrapKeyring, type WrappedKeyEntry, wrapKeyEntry } from './keys/wrapped-keyring.js';
export {
  type Connection,
  type ConnectionInput,
  type ConnectionSecret,
  connectionSchema,
  type TokenType,
} from './records/connection.js';
export {
  type ConnectionAuth,
  type ConnectionAuthInput,
  type ConnectionAuthSecret,
  connectionAuthSchema,
} from './records/connection-auth.js';
export {
  DEFAULT_REFRESH_SKEW_MS,
  type ExpiryOptions,
  expiresAt,
  type NeedsRefreshOptions,
  needsRefresh,
} from './records/expiry.js';
export {
  type DateFieldSchema,
  dateField,
  type JsonObject,
  type JsonObjectSchema,
  type JsonValue,
  jsonObjectField,
  toDate,
} from './records/fields.js';
export type { RecordCacheOptions } from './records/record-cache.js';
export { REDACTED, type Redacted, redact } from './records/redact.js';
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
} from './records/schema.js';
export { type RewrapExecutor, type RewrapResult, rewrapBatch } from './rotation/rewrap-executor.js';
export type { RotateFailure, RotateOptions, RotateProgress, RotateReport } from './rotation/types.js';
export { checkDistinctKeys } from './store/checks.js';
export type { CompleteStore, Lease, VaultStore } from './store/contract.js';
export { withDeadline } from './store/deadline.js';
export { type FetchPage, keysetEntries, prefixEnd } from './store/keyset.js';
export { keyvStore } from './store/keyv-store.js';
export { type AcquireLease, leaseFor } from './store/lease.js';
export { type MemoryStore, memoryStore } from './store/memory-store.js';
export type { TenantOf } from './tenants/tenancy.js';
export { isTenantKid, TENANT_RECORD_PREFIX, type TenantCustody } from './tenants/tenant-keyring.js';
export { isTenantKeyGone } from './tenants/tenant-store.js';
export { createVault } from './vault/create-vault.js';
export type { VaultEvent, VaultEventBase, VaultEventType, VaultListener } from './vault/events.js';
export type { KeyStatus, VerifyFailure, VerifyReport } from './vault/maintenance.js';
export { MAX_TENANT_CACHE_TTL_MS } from './vault/options.js';
export {
  RETIRE_GRACE_MS,
  type ShredReport,
  type TenantRotateOptions,
  type TenantRotateReport,
} from './vault/tenant-ops.js';
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
} from './vault/types.js';
