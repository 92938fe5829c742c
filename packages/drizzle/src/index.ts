export type { BlindIndexToken, SealedText } from './column-values.js';
export {
  type ColumnKey,
  type Credentials,
  type CredentialsOptions,
  credentials,
  type IndexColumns,
  type IndexedField,
  type IndexKeys,
  type OpenedRow,
  type OpenInput,
  type SealedRow,
  type SealInput,
} from './credentials.js';
