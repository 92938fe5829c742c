export { decodeRecord, encodeRecord } from './codec.js';
export {
  type Connection,
  type ConnectionInput,
  type ConnectionSecret,
  connectionSchema,
  type TokenType,
} from './connection.js';
export {
  type ConnectionAuth,
  type ConnectionAuthInput,
  type ConnectionAuthSecret,
  connectionAuthSchema,
} from './connection-auth.js';
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
export { copyRecord, RecordCache, type RecordCacheOptions } from './record-cache.js';
export { REDACTED, type Redacted, redact } from './redact.js';
export { type Rereader, rereaderOf } from './reread.js';
export {
  type AnyCredentialSchema,
  type CredentialObjectSchema,
  type CredentialSchema,
  type DefineCredentialSchemaOptions,
  defineCredentialSchema,
  type InputOf,
  isCredentialSchema,
  type OutputOf,
  type ReadableOf,
  type SecretOf,
} from './schema.js';
export {
  exposeRecord,
  exposeSecrets,
  type Masked,
  type MaskedInput,
  maskRecord,
  maskSecrets,
  SECRET_MASK,
  Secret,
} from './secret-value.js';
export { compileWhere } from './where.js';
