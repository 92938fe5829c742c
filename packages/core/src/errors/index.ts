export {
  forRecord,
  isVaultError,
  storeCall,
  VaultError,
  VaultErrorCode,
  type VaultErrorOptions,
  type VaultIssue,
} from './vault-error.js';
