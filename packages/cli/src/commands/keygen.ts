import {
  formatKeyEntry,
  generateKey,
  masterKeyContext,
  REMOTE_TIMEOUT_MS,
  remoteKeys,
  VaultError,
} from '@credvault/core';
import type { Io } from '../context.js';
import { openProviderKey } from '../key-providers.js';

/** Options of `credvault keygen`. */
export interface KeygenOptions {
  readonly kid?: string;
  /** `<provider>:<keyRef>`: print the new key wrapped by that KMS/HSM key. */
  readonly wrap?: string;
  /** `<provider>:<keyRef>`: print an entry for that KMS/HSM key (a PKCS#11 key is created if missing). */
  readonly remote?: string;
  /** `--kms-timeout`: the deadline of each KMS/HSM call, in ms; default `REMOTE_TIMEOUT_MS` (10 s). */
  readonly kmsTimeout?: number;
}

function providerRef(value: string, flag: string): [string, string] {
  const colon = value.indexOf(':');
  if (colon < 1 || colon === value.length - 1) {
    throw new VaultError('INVALID_ARGUMENT', `${flag} must be <provider>:<keyRef>, e.g. pkcs11:credvault-kek`, {
      path: flag.slice(2),
    });
  }
  return [value.slice(0, colon), value.slice(colon + 1)];
}

/**
 * `credvault keygen [--kid] [--wrap p:ref | --remote p:ref]`: prints a new key entry. Plain, it
 * is a local `kid:key` (secret). With `--wrap`, the new key is encrypted by the KMS/HSM key and
 * only `kid:wrapped:<p>:<ref>:<base64url>` is printed (not secret without the KMS/HSM). With
 * `--remote`, it prints `kid:remote:<p>:<ref>` after checking the key works (creating a PKCS#11 key).
 * Each KMS/HSM call has a deadline (`--kms-timeout`, default 10 s).
 * @throws VaultError `KEY_UNAVAILABLE` when the KMS/HSM cannot be used or does not answer in time.
 */
export async function keygen(io: Io, options: KeygenOptions): Promise<number> {
  const kid = options.kid ?? `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
  if (options.wrap !== undefined && options.remote !== undefined) {
    throw new VaultError('INVALID_ARGUMENT', 'use --wrap or --remote, not both', { path: 'wrap' });
  }
  if (options.wrap === undefined && options.remote === undefined) {
    io.stdout.write(`${formatKeyEntry(kid, generateKey())}\n`);
    return 0;
  }
  formatKeyEntry(kid, new Uint8Array(32)); // checks the kid before reaching the KMS/HSM
  const remoteMode = options.remote !== undefined;
  const [provider, keyRef] = providerRef(
    (options.remote ?? options.wrap) as string,
    remoteMode ? '--remote' : '--wrap',
  );
  const remote = await openProviderKey(provider, keyRef, process.env, remoteMode);
  try {
    // a round trip proves the key is usable before an entry naming it is printed; through
    // remoteKeys, so each call has a deadline: a KMS/HSM that never answers fails with
    // KEY_UNAVAILABLE instead of hanging the command
    const keys = remoteKeys([{ kid, remote }], { timeoutMs: options.kmsTimeout ?? REMOTE_TIMEOUT_MS });
    const key = generateKey();
    const context = masterKeyContext(kid);
    let wrapped: Uint8Array;
    let same = false;
    try {
      wrapped = await keys.wrap(kid, key, context);
      const back = await keys.unwrap(kid, wrapped, context);
      same = back.length === key.length && back.every((b, i) => b === key[i]);
      back.fill(0);
    } finally {
      key.fill(0);
    }
    if (!same) throw new VaultError('KEY_UNAVAILABLE', `${remote.name}: the key did not round-trip`);
    const entry = remoteMode
      ? `${kid}:remote:${provider}:${keyRef}`
      : `${kid}:wrapped:${provider}:${keyRef}:${Buffer.from(wrapped).toString('base64url')}`;
    io.stdout.write(`${entry}\n`);
    return 0;
  } finally {
    await remote.close?.();
  }
}
