// What each worker of the backfill bench's pool imports (`rewrapPool({ migrate })`): the schema
// and legacy reader of the bench's vault. Plain JavaScript: the workers run without tsx.
import { connectionSchema, plaintextJson } from '@credvault/core';

/** The vault's schema and legacy reader, built in the worker. */
export default function backfillSetup() {
  return { schema: connectionSchema, legacy: plaintextJson() };
}
