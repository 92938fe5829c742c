import { readFile } from 'node:fs/promises';
import { type Keyring, keyringFromEnv, parseKeyList, VaultError } from '@credvault/core';

/**
 * The keyring from `--keys-file` (one `kid:key` entry per line or comma-separated) or
 * `CREDVAULT_KEYS`.
 * @throws VaultError `INVALID_KEYRING` when neither holds a valid keyring.
 */
export async function loadKeyring(keysFile: string | undefined): Promise<Keyring> {
  if (keysFile === undefined) {
    if (process.env.CREDVAULT_KEYS === undefined) {
      throw new VaultError('INVALID_KEYRING', 'no keys: set CREDVAULT_KEYS="kid:base64url,..." or pass --keys-file');
    }
    return keyringFromEnv();
  }
  let text: string;
  try {
    text = await readFile(keysFile, 'utf8');
  } catch (cause) {
    throw new VaultError('INVALID_KEYRING', `cannot read the keys file ${keysFile}`, { cause });
  }
  return parseKeyList(text.replace(/^\s*#.*$/gm, ''));
}
