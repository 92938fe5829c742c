export { canonicalJson, MAX_RECORD_DEPTH, recordJson } from './canonical-json.js';
export {
  openRecord,
  type RecordText,
  type Reshape,
  rewrapHead,
  rewrappedHeadUnfit,
  rewrapRecord,
  sealRecord,
} from './envelope.js';
export {
  type EnvelopeParts,
  envelopeHead,
  envelopeKid,
  FORMAT_VERSION,
  formatEnvelope,
  parseEnvelope,
  withHead,
} from './envelope-text.js';
export { daysInMonth, isoString, isoTime } from './iso-dates.js';
export {
  type AesGcmLayout,
  type AesGcmTextOptions,
  aesGcmText,
  isLegacyValue,
  type LegacyReader,
  type LegacyReaders,
  legacyReaders,
  type PlaintextJsonOptions,
  plaintextJson,
} from './legacy-reader.js';
export { parseObject, type RecordMeta, readRecordText, resplitRecordText, STORED_AT } from './record-text.js';
