export { checkUnwrapCacheOptions } from './cache-options.js';
export {
  type CachedKeys,
  cachedKeys,
  positive,
  type UnwrapCacheEvent,
  type UnwrapCacheOptions,
  type UnwrapCacheStats,
} from './cached-keys.js';
export { type CombineKeysOptions, combineKeys } from './combined-keys.js';
export { type KeySpec, type OpenKeyListOptions, openKeyList, parseKeySpecs } from './key-list.js';
export {
  type Awaitable,
  checkKeyEncryptionKeys,
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
  unwrapLocal,
} from './keyring.js';
export { observedKeys } from './observed-keys.js';
export {
  keyUnavailable,
  REMOTE_TIMEOUT_MS,
  type RemoteCallOptions,
  type RemoteKey,
  type RemoteKeyEntry,
  remoteKeys,
} from './remote-key.js';
export { masterKeyContext, unwrapKeyring, type WrappedKeyEntry, wrapKeyEntry } from './wrapped-keyring.js';
