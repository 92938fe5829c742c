import { checkArray, invalidArgument, isRecordLike, optionsArgument, VaultError } from '../errors/index.js';
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
 * @throws VaultError `INVALID_ARGUMENT` (path `name` or `reason`) when either is not a string.
 */
export function keyUnavailable(name: string, reason: string, cause?: unknown): VaultError {
  if (typeof name !== 'string') throw invalidArgument('name', 'a string');
  if (typeof reason !== 'string') throw invalidArgument('reason', 'a string');
  return new VaultError('KEY_UNAVAILABLE', `${name}: ${reason}`, cause === undefined ? {} : { cause });
}

/** How long a KMS/HSM call may take before it fails with `KEY_UNAVAILABLE`, in ms, unless `timeoutMs` says otherwise: 10 s. */
export const REMOTE_TIMEOUT_MS = 10_000;

/** The longest timer a platform keeps (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Options of the functions that call a KMS/HSM: {@link remoteKeys}, `unwrapKeyring`, `wrapKeyEntry`. */
export interface RemoteCallOptions {
  /**
   * How long one KMS/HSM call (an encrypt or decrypt) may take, in ms, before it fails with
   * `KEY_UNAVAILABLE`; a whole number from 1 to 2^31 - 1. Default {@link REMOTE_TIMEOUT_MS} (10 s).
   */
  readonly timeoutMs?: number;
}

/**
 * `options.timeoutMs`, checked, or the default. Internal: the remote and wrapped keys share it.
 * @throws VaultError `INVALID_ARGUMENT` (path `options`) for options that are not an object, or
 * (path `timeoutMs`) unless it is a whole number from 1 to 2^31 - 1.
 */
export function remoteTimeout(options: RemoteCallOptions | undefined): number {
  const timeoutMs = optionsArgument(options).timeoutMs ?? REMOTE_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new VaultError('INVALID_ARGUMENT', `timeoutMs must be a whole number from 1 to ${MAX_TIMEOUT_MS}`, {
      path: 'timeoutMs',
    });
  }
  return timeoutMs;
}

/**
 * Runs one provider call with a deadline. Internal: the remote and wrapped keys share it.
 * Anything but a VaultError becomes `KEY_UNAVAILABLE` naming the key; a call that has not
 * answered after `timeoutMs` fails with `KEY_UNAVAILABLE` then. The call itself is not stopped
 * (a provider bounds its own sockets); bytes it returns after the deadline are wiped.
 * @throws VaultError `KEY_UNAVAILABLE`, or the VaultError the provider threw.
 */
export function remoteCall<T extends Uint8Array>(
  remote: RemoteKey,
  timeoutMs: number,
  call: () => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(keyUnavailable(remote.name, `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const fail = (error: unknown) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      if (error instanceof VaultError) reject(error);
      else reject(keyUnavailable(remote.name, error instanceof Error ? error.message : String(error), error));
    };
    let started: Promise<T>;
    try {
      started = Promise.resolve(call());
    } catch (error) {
      started = Promise.reject(error);
    }
    started.then((bytes) => {
      clearTimeout(timer);
      if (!settled) {
        settled = true;
        resolve(bytes);
      } else if (bytes instanceof Uint8Array) bytes.fill(0); // too late: nobody takes it
    }, fail);
  });
}

/**
 * Checks that `value` has the members of a {@link RemoteKey} (not that they work): a string
 * `name` and `encrypt` and `decrypt` functions. Internal: the remote and wrapped keys share it.
 * @throws VaultError `INVALID_ARGUMENT` naming `path` otherwise.
 */
export function checkRemoteKey(value: unknown, path: string): asserts value is RemoteKey {
  if (
    !isRecordLike(value) ||
    typeof value.name !== 'string' ||
    typeof value.encrypt !== 'function' ||
    typeof value.decrypt !== 'function'
  ) {
    throw invalidArgument(path, 'a RemoteKey (name, encrypt, decrypt)');
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
 * Every call has a deadline (`options.timeoutMs`, default {@link REMOTE_TIMEOUT_MS}, 10 s): a
 * KMS/HSM that does not answer in time fails the wrap or unwrap with `KEY_UNAVAILABLE`, and the
 * unwrap cache forgets the failed call, so the next read calls the KMS/HSM again.
 *
 * @param entries - the keys, primary first
 * @param options - the deadline of each call
 * @throws VaultError `INVALID_KEYRING` for an empty list or a bad or duplicate kid,
 * `INVALID_ARGUMENT` for `entries` that is not an array, an entry's `remote` that is not a
 * {@link RemoteKey} (path `entries.<i>.remote`), `options` that is not an object or a bad
 * `timeoutMs`; its wrap and unwrap throw `KEY_UNAVAILABLE`.
 * @example
 * ```ts
 * const keys = cachedKeys(remoteKeys([{ kid: 'hsm1', remote: await hsm.key('credvault-kek') }]))
 * ```
 */
export function remoteKeys(
  entries: readonly RemoteKeyEntry[],
  options?: RemoteCallOptions,
): KeyEncryptionKeys & { close(): Promise<void> } {
  const timeoutMs = remoteTimeout(options);
  checkArray(entries, 'entries');
  const byKid = entriesByKid(entries, ({ remote }, index) => {
    checkRemoteKey(remote, `entries.${index}.remote`);
    return remote;
  });
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
      return remoteCall(remote, timeoutMs, () => remote.encrypt(dek, context));
    },
    async unwrap(kid, wrapped, context) {
      const remote = remoteFor(kid);
      return remoteCall(remote, timeoutMs, () => remote.decrypt(wrapped, context));
    },
    async close() {
      await Promise.all([...new Set(byKid.values())].map((remote) => remote.close?.()));
    },
  };
}
