import { fromBase64url } from '../crypto/index.js';
import { checkArray, checkFunction, invalidArgument, isRecordLike, VaultError } from '../errors/index.js';
import { checkUnwrapCacheOptions } from './cache-options.js';
import { cachedKeys, type UnwrapCacheOptions } from './cached-keys.js';
import { combineKeys } from './combined-keys.js';
import { keyListEntries } from './key-list-text.js';
import { checkEntry, type KeyEncryptionKeys, type KeyEntry, KID } from './keyring.js';
import type { REMOTE_TIMEOUT_MS } from './remote-key.js';
import { type RemoteKey, type RemoteKeyEntry, remoteKeys, remoteTimeout } from './remote-key.js';
import { unwrapKeyring, type WrappedKeyEntry } from './wrapped-keyring.js';

/**
 * One entry of a key list, as {@link parseKeySpecs} reads it (FORMAT.md gives the grammar):
 * - `kid:<base64url 32 bytes>`: a local key;
 * - `kid:wrapped:<provider>:<keyRef>:<base64url>`: a local key stored encrypted by a KMS/HSM key
 *   (decrypted once at start-up);
 * - `kid:remote:<provider>:<keyRef>`: a KMS/HSM key that wraps every data key itself.
 *
 * `provider` is e.g. `pkcs11` or `aws-kms` (`[a-z0-9][a-z0-9-]{0,31}`); `keyRef` names the key
 * there (a PKCS#11 label, a KMS key id, alias or ARN): not empty, it may contain `:` (in a
 * `wrapped:` entry the last `:` ends it) but no `,`, no control character, and no white space
 * at either end.
 */
export type KeySpec =
  | { readonly type: 'local'; readonly kid: string; readonly key: Uint8Array }
  | {
      readonly type: 'wrapped';
      readonly kid: string;
      readonly provider: string;
      readonly keyRef: string;
      readonly wrapped: Uint8Array;
    }
  | { readonly type: 'remote'; readonly kid: string; readonly provider: string; readonly keyRef: string };

const PROVIDER = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** A keyRef: no control character or `,`, no white space at either end, not empty. */
const KEY_REF = /^(?!\s)[^\p{Cc},]+(?<!\s)$/u;
const SHAPES = '"kid:base64url", "kid:wrapped:<provider>:<keyRef>:<base64url>" or "kid:remote:<provider>:<keyRef>"';

function base64url(text: string, kid: string): Uint8Array {
  try {
    if (text === '') throw new Error('empty');
    return fromBase64url(text);
  } catch {
    throw new VaultError('INVALID_KEYRING', `key "${kid}": not unpadded base64url`);
  }
}

function parseEntry(entry: string, index: number): KeySpec {
  const parts = entry.split(':');
  const kid = parts[0] ?? '';
  if (parts.length < 2) throw new VaultError('INVALID_KEYRING', `key #${index + 1}: expected "kid:base64url-key"`);
  if (!KID.test(kid)) throw new VaultError('INVALID_KEYRING', `key #${index + 1}: kid must match ${KID.source}`);
  if (parts.length === 2) return { type: 'local', kid, key: base64url(parts[1] as string, kid) };
  const [, type, provider = ''] = parts;
  const minimum = type === 'wrapped' ? 5 : 4;
  if ((type !== 'wrapped' && type !== 'remote') || parts.length < minimum || !PROVIDER.test(provider)) {
    throw new VaultError('INVALID_KEYRING', `key "${kid}": expected ${SHAPES}`);
  }
  const keyRef = (type === 'remote' ? parts.slice(3) : parts.slice(3, -1)).join(':');
  if (!KEY_REF.test(keyRef)) {
    throw new VaultError(
      'INVALID_KEYRING',
      `key "${kid}": keyRef must be non-empty, without "," or control characters, and not start or end with white space`,
    );
  }
  if (type === 'remote') return { type, kid, provider, keyRef };
  return { type, kid, provider, keyRef, wrapped: base64url(parts.at(-1) as string, kid) };
}

/**
 * Reads a key list of local, wrapped and remote entries (see {@link KeySpec}), primary first, by
 * FORMAT.md's grammar: entries separated by `,`, LF or CR LF, SP and HTAB around them ignored,
 * blank entries and `#` comment lines skipped.
 * @throws VaultError `INVALID_KEYRING` naming the entry at fault, never its key;
 * `INVALID_ARGUMENT` (path `text`) when `text` is not a string.
 */
export function parseKeySpecs(text: string): KeySpec[] {
  if (typeof text !== 'string') throw invalidArgument('text', 'a string');
  return keyListEntries(text, true).map(parseEntry);
}

/** Options of {@link openKeyList}. */
export interface OpenKeyListOptions {
  /** Finds the KMS/HSM key `keyRef` of `provider` (e.g. by loading `@credvault/pkcs11`). */
  readonly resolve: (provider: string, keyRef: string) => Promise<RemoteKey>;
  /** The unwrap cache in front of the remote entries. */
  readonly cache?: UnwrapCacheOptions;
  /**
   * How long one KMS/HSM call may take, in ms (a wrapped entry's decrypt while opening, a remote
   * entry's wrap or unwrap later) before it fails with `KEY_UNAVAILABLE`. Default
   * {@link REMOTE_TIMEOUT_MS} (10 s).
   */
  readonly timeoutMs?: number;
}

/**
 * Opens a key list of any kind of entry as one keyring: local and wrapped entries become a local
 * keyring (each wrapped key decrypted once, now), remote entries go through an unwrap cache,
 * and the first entry is the primary. `close()` wipes the cache and releases the providers.
 * @throws VaultError `INVALID_KEYRING` for a bad list, `KEY_UNAVAILABLE` when a KMS/HSM cannot be used,
 * `INVALID_ARGUMENT` for `specs` that is not an array or bad `options` (path `options`, `resolve`, `cache`,
 * `timeoutMs`).
 */
export async function openKeyList(
  specs: readonly KeySpec[],
  options: OpenKeyListOptions,
): Promise<KeyEncryptionKeys & { close(): Promise<void> }> {
  checkOpenKeyListArguments(specs, options);
  if (specs.length === 0) throw new VaultError('INVALID_KEYRING', 'the keyring holds no key');
  const resolved = new Map<string, Promise<RemoteKey>>();
  const resolve = (provider: string, keyRef: string): Promise<RemoteKey> => {
    const id = `${provider}:${keyRef}`;
    let remote = resolved.get(id);
    if (remote === undefined) {
      remote = options.resolve(provider, keyRef);
      resolved.set(id, remote);
    }
    return remote;
  };
  const closeAll = async () => {
    const remotes = await Promise.allSettled(resolved.values());
    await Promise.all(remotes.map((r) => (r.status === 'fulfilled' ? r.value.close?.() : undefined)));
  };
  try {
    const local: (KeyEntry | WrappedKeyEntry)[] = [];
    const remote: RemoteKeyEntry[] = [];
    for (const spec of specs) {
      if (spec.type === 'local') local.push(spec);
      else if (spec.type === 'wrapped') local.push({ ...spec, by: await resolve(spec.provider, spec.keyRef) });
      else remote.push({ kid: spec.kid, remote: await resolve(spec.provider, spec.keyRef) });
    }
    const keyrings: KeyEncryptionKeys[] = [];
    const deadline = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
    if (local.length > 0) keyrings.push(await unwrapKeyring(local, undefined, deadline));
    if (remote.length > 0) keyrings.push(cachedKeys(remoteKeys(remote, deadline), options.cache));
    const combined = combineKeys(keyrings, { primaryKid: (specs[0] as KeySpec).kid });
    return { ...combined, close: async () => Promise.all([combined.close(), closeAll()]).then(() => {}) };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

const SPEC_TYPES: ReadonlySet<unknown> = new Set(['local', 'wrapped', 'remote']);

/** @throws VaultError the errors of {@link openKeyList} for arguments of the wrong kind. */
function checkOpenKeyListArguments(specs: unknown, options: unknown): void {
  checkArray(specs, 'specs');
  specs.forEach((spec, index) => {
    checkEntry(spec, index, 'specs');
    if (!SPEC_TYPES.has((spec as { type?: unknown }).type)) {
      throw invalidArgument(`specs.${index}.type`, '"local", "wrapped" or "remote"', 'INVALID_KEYRING');
    }
  });
  if (!isRecordLike(options)) throw invalidArgument('options', 'an object with resolve');
  checkFunction(options.resolve, 'resolve');
  if (options.cache !== undefined) checkUnwrapCacheOptions(options.cache, 'cache');
  if (options.timeoutMs !== undefined) remoteTimeout({ timeoutMs: options.timeoutMs as number });
}
