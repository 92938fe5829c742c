import { VaultError } from '../errors/index.js';
import type { VaultStore } from './contract.js';

/**
 * The store key layout of `cv1` (FORMAT.md, "Store keys"), in one place:
 *
 * - `<namespace>:<id>`: a record, or the vault's own record `~index-key` of the namespace;
 * - `~ix:<namespace>:<field>:<base64url HMAC>`: a blind-index entry, valued with a record id;
 * - `~lease:<namespace>:<purpose>:<id>`: a lease (`refresh` and `rotate` so far);
 * - `~rotate:<namespace>:<runId>:<part>`: the records of a rotation run by many processes.
 *
 * Ids beginning with `~` belong to the vault; applications cannot use them.
 */

/** Namespaces: 1 to 64 ASCII letters, digits, `_` and `-`. */
export const NAMESPACE_PATTERN: RegExp = /^[A-Za-z0-9_-]{1,64}$/;
/** The longest record id, in UTF-16 code units. */
export const MAX_ID_LENGTH = 512;
/** Id, inside its namespace, of the record holding the namespace's blind-index key. */
export const INDEX_KEY_ID = '~index-key';

const LONE_SURROGATE = /[\uD800-\uDFFF]/u; // with the u flag a pair is one code point and does not match

/** Whether `text` is well-formed UTF-16 (no lone surrogate), so that its UTF-8 form is one-to-one. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * A record id: a well-formed UTF-16 string of 1 to 512 code units, not starting with `~`
 * (the vault's own ids) and without U+0000. Lone surrogates are refused because ids are stored
 * as UTF-8, where every lone surrogate becomes U+FFFD and two different ids would share one
 * record; U+0000 because PostgreSQL text cannot hold it, and one rule holds for every store.
 * @throws VaultError `INVALID_ARGUMENT`.
 */
export function checkId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH || id.startsWith('~')) {
    throw new VaultError(
      'INVALID_ARGUMENT',
      `id must be a string of 1 to ${MAX_ID_LENGTH} characters, not starting with "~"`,
    );
  }
  if (!isWellFormed(id)) throw new VaultError('INVALID_ARGUMENT', 'id must be well-formed UTF-16 (no lone surrogate)');
  if (id.includes('\u0000')) throw new VaultError('INVALID_ARGUMENT', 'id must not contain U+0000');
}

/**
 * @throws VaultError `INVALID_ARGUMENT` for a namespace outside `[A-Za-z0-9_-]{1,64}`.
 */
export function checkNamespace(namespace: unknown): asserts namespace is string {
  if (typeof namespace !== 'string' || !NAMESPACE_PATTERN.test(namespace)) {
    throw new VaultError('INVALID_ARGUMENT', `namespace must match ${NAMESPACE_PATTERN.source}`, { path: 'namespace' });
  }
}

/** Whether an id is the vault's own (`~index-key`, ...) rather than an application record. */
export function isVaultId(id: string): boolean {
  return id.startsWith('~');
}

/** The prefix every store key of a namespace's records starts with: `<namespace>:`. */
export function recordPrefix(namespace: string): string {
  return `${namespace}:`;
}

/** The store key of a record: `<namespace>:<id>`. */
export function recordKey(namespace: string, id: string): string {
  return `${namespace}:${id}`;
}

/** The record id of a store key found under {@link recordPrefix}. */
export function idOfKey(namespace: string, key: string): string {
  return key.slice(namespace.length + 1);
}

/** The store key of a blind-index entry: `~ix:<namespace>:<field>:<mac>` (mac in base64url). */
export function indexEntryKey(namespace: string, field: string, mac: string): string {
  return `${indexPrefix(namespace)}${field}:${mac}`;
}

/** The prefix of every blind-index entry of a namespace: `~ix:<namespace>:`. */
export function indexPrefix(namespace: string): string {
  return `~ix:${namespace}:`;
}

/** The store key of a lease: `~lease:<namespace>:<purpose>:<id>`. */
export function leaseKey(namespace: string, purpose: string, id: string): string {
  return `~lease:${namespace}:${purpose}:${id}`;
}

/** The store key of a part (`run`, `range:<n>`) of rotation run `runId`: `~rotate:<namespace>:<runId>:<part>`. */
export function rotationKey(namespace: string, runId: string, part: string): string {
  return `~rotate:${namespace}:${runId}:${part}`;
}

/**
 * The store's `entries`, bound to it.
 * @throws VaultError `UNSUPPORTED` when the store cannot iterate.
 */
export function iterate(store: VaultStore): (prefix: string) => AsyncIterable<readonly [string, string]> {
  const entries = store.entries;
  if (entries === undefined) throw new VaultError('UNSUPPORTED', `the ${store.name} store cannot iterate`);
  return (prefix) => entries.call(store, prefix);
}
