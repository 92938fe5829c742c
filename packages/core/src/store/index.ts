export { checkDistinctKeys } from './checks.js';
export type { CompleteStore, Lease, TableStoreOptions, VaultStore } from './contract.js';
export { withDeadline } from './deadline.js';
export {
  checkId,
  checkNamespace,
  INDEX_KEY_ID,
  idOfKey,
  indexEntryKey,
  indexPrefix,
  isVaultId,
  isWellFormed,
  iterate,
  leaseKey,
  recordKey,
  recordPrefix,
  rotationKey,
} from './keys.js';
export { type FetchPage, keysetEntries, prefixEnd } from './keyset.js';
export { keyvStore } from './keyv-store.js';
export { type AcquireLease, leaseFor } from './lease.js';
export { type MemoryStore, memoryStore } from './memory-store.js';
export { observedStore } from './observed-store.js';
