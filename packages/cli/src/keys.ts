import { open } from 'node:fs/promises';
import {
  type KeyEncryptionKeys,
  type KeyEntry,
  type KeySpec,
  openKeyList,
  parseKeySpecs,
  REMOTE_TIMEOUT_MS,
  VaultError,
} from '@credvault/core';
import { type Env, openProviderKey } from './key-providers.js';

/** A keyring the CLI opened: close it when done (wipes cached data keys, logs out of the HSM). */
export type CliKeys = KeyEncryptionKeys & { close(): Promise<void> };

/**
 * The keyring from `--keys-file` or `CREDVAULT_KEYS`: a list, primary first, of local entries
 * `kid:<base64url>`, wrapped local keys `kid:wrapped:<provider>:<keyRef>:<base64url>` and remote
 * keys `kid:remote:<provider>:<keyRef>`; `#` lines are comments.
 * Provider packages (`@credvault/pkcs11`, `@credvault/aws-kms`) are loaded only when the list
 * names them. Every KMS/HSM call has a deadline, `timeoutMs` (`--kms-timeout`, default
 * `REMOTE_TIMEOUT_MS`, 10 s): past it the call fails with `KEY_UNAVAILABLE`.
 * @throws VaultError `INVALID_KEYRING` when neither holds a valid list, `UNSUPPORTED` for a
 *   missing provider package, `KEY_UNAVAILABLE` when a KMS/HSM cannot be used.
 */
export async function loadKeyring(
  keysFile: string | undefined,
  env: Env = process.env,
  timeoutMs: number = REMOTE_TIMEOUT_MS,
): Promise<CliKeys> {
  const specs = await readKeySpecs(keysFile, env);
  return openKeyList(specs, { resolve: (provider, keyRef) => openProviderKey(provider, keyRef, env), timeoutMs });
}

/**
 * The entries of the key list from `--keys-file` or `CREDVAULT_KEYS`, unopened.
 * @throws VaultError `INVALID_KEYRING` when neither holds a valid list.
 */
export async function readKeySpecs(keysFile: string | undefined, env: Env = process.env): Promise<KeySpec[]> {
  let text: string;
  if (keysFile === undefined) {
    if (env.CREDVAULT_KEYS === undefined || env.CREDVAULT_KEYS.trim() === '') {
      throw new VaultError('INVALID_KEYRING', 'no keys: set CREDVAULT_KEYS="kid:base64url,..." or pass --keys-file');
    }
    text = env.CREDVAULT_KEYS;
  } else {
    text = await readKeysFile(keysFile);
  }
  return parseKeySpecs(text);
}

/**
 * Reads the keys file, refusing one that group or others may access (any of the mode bits
 * 0o077), as ssh refuses an unprotected private key: it holds master keys, and a warning would
 * scroll by unread in a cron job or a CI log while the keys stay exposed. The mode is checked on
 * the opened file, so the file read is the file checked. Not on Windows, which has no POSIX modes.
 * @throws VaultError `INVALID_KEYRING` when the file cannot be read or is open to group or others.
 */
async function readKeysFile(keysFile: string): Promise<string> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(keysFile, 'r');
  } catch (cause) {
    throw new VaultError('INVALID_KEYRING', `cannot read the keys file ${keysFile}`, { cause });
  }
  try {
    const { mode } = await file.stat();
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      const octal = (mode & 0o777).toString(8).padStart(4, '0');
      throw new VaultError(
        'INVALID_KEYRING',
        `the keys file ${keysFile} is open to group or others (mode ${octal}): it holds master keys, chmod 600 ${keysFile}`,
        { path: 'keysFile' },
      );
    }
    return await file.readFile('utf8');
  } catch (cause) {
    if (cause instanceof VaultError) throw cause;
    throw new VaultError('INVALID_KEYRING', `cannot read the keys file ${keysFile}`, { cause });
  } finally {
    await file.close();
  }
}

/**
 * The keys of a list whose every entry is a local `kid:<base64url>` key, for worker threads
 * (which hold copies of the keys; a KMS/HSM key cannot be handed to them).
 * @throws VaultError `INVALID_ARGUMENT` naming the first entry that is wrapped or remote.
 */
export function localKeyEntries(specs: readonly KeySpec[], why: string): KeyEntry[] {
  return specs.map((spec) => {
    if (spec.type === 'local') return { kid: spec.kid, key: spec.key };
    throw new VaultError('INVALID_ARGUMENT', `${why} needs local keys; key "${spec.kid}" is ${spec.type}`, {
      path: 'keys',
    });
  });
}
