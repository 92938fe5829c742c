import { readFile } from 'node:fs/promises';
import { type KeyEncryptionKeys, openKeyList, parseKeySpecs, VaultError } from '@credvault/core';
import { type Env, openProviderKey } from './key-providers.js';

/** A keyring the CLI opened: close it when done (wipes cached data keys, logs out of the HSM). */
export type CliKeys = KeyEncryptionKeys & { close(): Promise<void> };

/**
 * The keyring from `--keys-file` or `CREDVAULT_KEYS`: a list, primary first, of local entries
 * `kid:<base64url>`, wrapped local keys `kid:wrapped:<provider>:<keyRef>:<base64url>` and remote
 * keys `kid:remote:<provider>:<keyRef>`; `#` lines are comments.
 * Provider packages (`@credvault/pkcs11`, `@credvault/aws-kms`) are loaded only when the list
 * names them.
 * @throws VaultError `INVALID_KEYRING` when neither holds a valid list, `UNSUPPORTED` for a
 *   missing provider package, `KEY_UNAVAILABLE` when a KMS/HSM cannot be used.
 */
export async function loadKeyring(keysFile: string | undefined, env: Env = process.env): Promise<CliKeys> {
  let text: string;
  if (keysFile === undefined) {
    if (env.CREDVAULT_KEYS === undefined || env.CREDVAULT_KEYS.trim() === '') {
      throw new VaultError('INVALID_KEYRING', 'no keys: set CREDVAULT_KEYS="kid:base64url,..." or pass --keys-file');
    }
    text = env.CREDVAULT_KEYS;
  } else {
    try {
      text = await readFile(keysFile, 'utf8');
    } catch (cause) {
      throw new VaultError('INVALID_KEYRING', `cannot read the keys file ${keysFile}`, { cause });
    }
  }
  return openKeyList(parseKeySpecs(text), { resolve: (provider, keyRef) => openProviderKey(provider, keyRef, env) });
}
