import { VaultError } from '../errors/index.js';
import { entriesByKid, type KeyEncryptionKeys } from './keyring.js';

/**
 * One key held by a KMS or HSM, which never leaves it: it encrypts and decrypts small secrets
 * (data keys, or master keys for {@link unwrapKeyring}) with `context` as authenticated
 * associated data. This is what a provider package (`@credvault/pkcs11`, `@credvault/aws-kms`,
 * your own) implements; docs/key-custody.md gives the contract.
 *
 * An implementation must:
 * - authenticate `context`: `decrypt` with any other context fails with `DECRYPT_FAILED`;
 * - fail with `DECRYPT_FAILED` for a ciphertext that is not its own or was altered;
 * - fail with `KEY_UNAVAILABLE` (the provider's reason in the message, no key material) when
 *   the KMS/HSM cannot be used: unreachable, access denied, key disabled or missing, wrong PIN;
 * - be safe to call concurrently.
 */
export interface RemoteKey {
  /** Where the key lives, for messages, e.g. `pkcs11:credvault-kek` or `aws-kms:alias/credvault`. Not secret. */
  readonly name: string;
  /**
   * Encrypts `plaintext` bound to `context`; the result's layout is the provider's.
   * @throws VaultError `KEY_UNAVAILABLE`.
   */
  encrypt(plaintext: Uint8Array, context: Uint8Array): Promise<Uint8Array>;
  /**
   * Decrypts what {@link RemoteKey.encrypt} returned for the same `context`.
   * @throws VaultError `DECRYPT_FAILED` when it does not authenticate, `KEY_UNAVAILABLE`.
   */
  decrypt(ciphertext: Uint8Array, context: Uint8Array): Promise<Uint8Array>;
  /** Releases sessions or clients; optional, and safe to call more than once. */
  close?(): Promise<void> | void;
}

/**
 * The error for a KMS/HSM that cannot be used. `reason` is the provider's (an error code or
 * message); it must not hold key material.
 */
export function keyUnavailable(name: string, reason: string, cause?: unknown): VaultError {
  return new VaultError('KEY_UNAVAILABLE', `${name}: ${reason}`, cause === undefined ? {} : { cause });
}

/** Runs a provider call; anything but a VaultError becomes `KEY_UNAVAILABLE` naming the key. */
async function remoteCall<T>(remote: RemoteKey, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof VaultError) throw error;
    throw keyUnavailable(remote.name, error instanceof Error ? error.message : String(error), error);
  }
}

/** One remote-wrap key: a kid and the KMS/HSM key behind it. */
export interface RemoteKeyEntry {
  readonly kid: string;
  readonly remote: RemoteKey;
}

/**
 * Remote wrap: every data key is wrapped and unwrapped by the KMS/HSM itself, so the master
 * key never enters this process. Each `unwrap` is a remote call: put {@link cachedKeys} in
 * front of it. The wrap context (kid, namespace, record id) is the provider's associated data.
 *
 * @param entries - the keys, primary first
 * @throws VaultError `INVALID_KEYRING` for an empty list or a bad or duplicate kid.
 * @example
 * ```ts
 * const keys = cachedKeys(remoteKeys([{ kid: 'hsm1', remote: await hsm.key('credvault-kek') }]))
 * ```
 */
export function remoteKeys(entries: readonly RemoteKeyEntry[]): KeyEncryptionKeys & { close(): Promise<void> } {
  const byKid = entriesByKid(entries, ({ remote }) => remote);
  const kids = Object.freeze([...byKid.keys()]);
  const remoteFor = (kid: string): RemoteKey => {
    const remote = byKid.get(kid);
    if (remote === undefined) throw new VaultError('UNKNOWN_KEY', `the keyring holds no key "${kid}"`);
    return remote;
  };
  return {
    primaryKid: kids[0] as string,
    kids,
    has: (kid) => byKid.has(kid),
    async wrap(kid, dek, context) {
      const remote = remoteFor(kid);
      return remoteCall(remote, () => remote.encrypt(dek, context));
    },
    async unwrap(kid, wrapped, context) {
      const remote = remoteFor(kid);
      return remoteCall(remote, () => remote.decrypt(wrapped, context));
    },
    async close() {
      await Promise.all([...new Set(byKid.values())].map((remote) => remote.close?.()));
    },
  };
}
