import { frame } from '../crypto/index.js';
import { checkArray, invalidArgument, VaultError } from '../errors/index.js';
import { checkEntry, KEY_LENGTH, type KeyEntry, Keyring } from './keyring.js';
import { checkRemoteKey, type RemoteCallOptions, type RemoteKey, remoteCall, remoteTimeout } from './remote-key.js';

/** A master key stored encrypted by a KMS/HSM: its kid, the ciphertext, and the key that can decrypt it. */
export interface WrappedKeyEntry {
  readonly kid: string;
  /** What {@link wrapKeyEntry} returned (the provider's layout). Not secret. */
  readonly wrapped: Uint8Array;
  /** The KMS/HSM key it was encrypted under; default the `remote` passed to {@link unwrapKeyring}. */
  readonly by?: RemoteKey;
}

/**
 * The associated data a wrapped master key is bound to: `"credvault/master-key" ‖ 0x00 ‖ lp(kid)`,
 * so a wrapped entry given another kid does not decrypt.
 * @throws VaultError `INVALID_ARGUMENT` (path `kid`) when `kid` is not a string.
 */
export function masterKeyContext(kid: string): Uint8Array {
  if (typeof kid !== 'string') throw invalidArgument('kid', 'a string');
  return frame('credvault/master-key', [kid]);
}

/**
 * Encrypts a master key under a KMS/HSM key, for a key list of wrapped local keys (what
 * `credvault keygen --wrap` prints). The result is not secret: only the KMS/HSM can open it.
 * The call has a deadline (`options.timeoutMs`, default 10 s).
 * @throws VaultError `INVALID_KEYRING` for a bad kid or a key that is not 32 bytes,
 * `INVALID_ARGUMENT` for `options` that is not an object, a bad `timeoutMs` or (path `remote`)
 * a `remote` that is not a {@link RemoteKey}, `KEY_UNAVAILABLE` (the deadline passed included).
 */
export async function wrapKeyEntry(
  kid: string,
  key: Uint8Array,
  remote: RemoteKey,
  options?: RemoteCallOptions,
): Promise<WrappedKeyEntry> {
  new Keyring([{ kid, key }]); // validates kid and length
  checkRemoteKey(remote, 'remote');
  const wrapped = await remoteCall(remote, remoteTimeout(options), () => remote.encrypt(key, masterKeyContext(kid)));
  return { kid, wrapped, by: remote };
}

/**
 * Checks the entries of {@link unwrapKeyring}: objects, each wrapped one with its bytes and,
 * if it names one, a {@link RemoteKey}.
 * @throws VaultError `INVALID_ARGUMENT` for `entries` that is not an array, `INVALID_KEYRING` for a bad entry.
 */
function checkEntries(entries: unknown): asserts entries is readonly (KeyEntry | WrappedKeyEntry)[] {
  checkArray(entries, 'entries');
  entries.forEach((entry, index) => {
    checkEntry(entry, index, 'entries');
    if (!('wrapped' in (entry as object))) return;
    const { wrapped, by } = entry as { wrapped: unknown; by?: unknown };
    if (!(wrapped instanceof Uint8Array)) throw invalidArgument(`entries.${index}.wrapped`, 'bytes', 'INVALID_KEYRING');
    if (by !== undefined) checkRemoteKey(by, `entries.${index}.by`);
  });
}

function isWrapped(entry: KeyEntry | WrappedKeyEntry): entry is WrappedKeyEntry {
  return 'wrapped' in entry;
}

async function unwrapEntry(
  entry: WrappedKeyEntry,
  remote: RemoteKey | undefined,
  timeoutMs: number,
): Promise<KeyEntry> {
  const by = entry.by ?? remote;
  if (by === undefined) throw new VaultError('INVALID_KEYRING', `key "${entry.kid}": no KMS/HSM key to unwrap it`);
  let key: Uint8Array;
  try {
    key = await remoteCall(by, timeoutMs, () => by.decrypt(entry.wrapped, masterKeyContext(entry.kid)));
  } catch (error) {
    if (error instanceof VaultError && error.code === 'DECRYPT_FAILED') {
      throw new VaultError('INVALID_KEYRING', `key "${entry.kid}": the wrapped key does not decrypt under ${by.name}`, {
        cause: error,
      });
    }
    throw error;
  }
  if (key.length !== KEY_LENGTH) {
    key.fill(0);
    throw new VaultError('INVALID_KEYRING', `key "${entry.kid}": unwrapped to a key that is not ${KEY_LENGTH} bytes`);
  }
  return { kid: entry.kid, key };
}

/**
 * Wrapped local keys: decrypts each wrapped master key once, with one KMS/HSM call per key
 * (in parallel), and returns a local {@link Keyring} of them. No record read or write calls
 * the KMS afterwards; an outage only affects start-up. Plain {@link KeyEntry} items may be
 * mixed in (an env key beside an HSM-wrapped one during a rotation).
 *
 * @param entries - the keys, primary first
 * @param remote - the KMS/HSM key for entries without their own `by`
 * @param options - the deadline of each KMS/HSM call (`timeoutMs`, default 10 s)
 * @throws VaultError `KEY_UNAVAILABLE` when the KMS/HSM cannot be used or does not answer in
 * time (no other key is tried), `INVALID_ARGUMENT` for `options` that is not an object or a bad `timeoutMs`,
 * `INVALID_KEYRING` for a wrapped key that does not decrypt (wrong kid, altered) or a bad list.
 * `INVALID_ARGUMENT` for `entries` that is not an array or a `remote` that is not a {@link RemoteKey}.
 * @example
 * ```ts
 * const keyring = await unwrapKeyring([{ kid: 'k2', wrapped }], await hsm.key('credvault-kek'))
 * ```
 */
export async function unwrapKeyring(
  entries: readonly (KeyEntry | WrappedKeyEntry)[],
  remote?: RemoteKey,
  options?: RemoteCallOptions,
): Promise<Keyring> {
  checkEntries(entries);
  if (remote !== undefined) checkRemoteKey(remote, 'remote');
  const timeoutMs = remoteTimeout(options);
  const settled = await Promise.allSettled(
    entries.map((entry) => (isWrapped(entry) ? unwrapEntry(entry, remote, timeoutMs) : Promise.resolve(entry))),
  );
  const plain: KeyEntry[] = [];
  const fresh: Uint8Array[] = [];
  let failure: unknown;
  settled.forEach((result, index) => {
    if (result.status === 'rejected') {
      failure ??= result.reason;
      return;
    }
    plain.push(result.value);
    if (isWrapped(entries[index] as KeyEntry | WrappedKeyEntry)) fresh.push(result.value.key);
  });
  try {
    if (failure !== undefined) throw failure;
    return new Keyring(plain); // copies the keys
  } finally {
    for (const key of fresh) key.fill(0);
  }
}
