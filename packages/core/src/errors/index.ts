export {
  checkArray,
  checkBoolean,
  checkFunction,
  checkWholeNumber,
  invalidArgument,
  isRecordLike,
  optionsArgument,
} from './arguments.js';
export {
  forRecord,
  isVaultError,
  storeCall,
  VaultError,
  VaultErrorCode,
  type VaultErrorOptions,
  type VaultIssue,
} from './vault-error.js';
