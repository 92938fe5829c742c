import { checkArray, invalidArgument, optionsArgument, VaultError } from '../errors/index.js';
import { checkKeyEncryptionKeys, type KeyEncryptionKeys } from './keyring.js';

/** Options of {@link combineKeys}. */
export interface CombineKeysOptions {
  /** The kid new writes use; default the first keyring's primary. */
  readonly primaryKid?: string;
}

/**
 * One keyring made of several: local keys, wrapped local keys and KMS/HSM keys side by side,
 * each kid answered by the keyring that holds it. Rotation then moves records between any two
 * of them, in either direction, by choosing the primary kid.
 *
 * @param keyrings - the keyrings; no kid may appear in two of them
 * @throws VaultError `INVALID_KEYRING` for no keyring, a kid held twice, or a `primaryKid` none holds;
 * `INVALID_ARGUMENT` for `keyrings` that is not an array of keyrings (path `keyrings.<n>`), or
 * `options` that are not an object or a `primaryKid` that is not a string.
 * @example
 * ```ts
 * const keys = combineKeys([keyringFromEnv(), cachedKeys(remoteKeys([{ kid: 'hsm1', remote }]))], { primaryKid: 'hsm1' })
 * ```
 */
export function combineKeys(
  keyrings: readonly KeyEncryptionKeys[],
  options: CombineKeysOptions = {},
): KeyEncryptionKeys & { close(): Promise<void> } {
  checkArray(keyrings, 'keyrings');
  for (const [index, keyring] of keyrings.entries()) checkKeyEncryptionKeys(keyring, `keyrings.${index}`);
  const { primaryKid: chosen } = optionsArgument(options);
  if (chosen !== undefined && typeof chosen !== 'string') throw invalidArgument('primaryKid', 'a kid (or left out)');
  if (keyrings.length === 0) throw new VaultError('INVALID_KEYRING', 'the keyring holds no key');
  const owner = new Map<string, KeyEncryptionKeys>();
  for (const keyring of keyrings) {
    for (const kid of keyring.kids) {
      if (owner.has(kid)) throw new VaultError('INVALID_KEYRING', `duplicate kid "${kid}" in two keyrings`);
      owner.set(kid, keyring);
    }
  }
  const primaryKid = chosen ?? (keyrings[0] as KeyEncryptionKeys).primaryKid;
  if (!owner.has(primaryKid))
    throw new VaultError('INVALID_KEYRING', `no keyring holds the primary kid "${primaryKid}"`);
  const kids = Object.freeze([primaryKid, ...[...owner.keys()].filter((kid) => kid !== primaryKid)]);
  const ownerOf = (kid: string): KeyEncryptionKeys => {
    const keyring = owner.get(kid);
    if (keyring === undefined) throw new VaultError('UNKNOWN_KEY', `the keyring holds no key "${kid}"`);
    return keyring;
  };
  return {
    primaryKid,
    kids,
    has: (kid) => owner.has(kid),
    wrap: (kid, dek, context) => ownerOf(kid).wrap(kid, dek, context),
    unwrap: (kid, wrapped, context) => ownerOf(kid).unwrap(kid, wrapped, context),
    async close() {
      await Promise.all(keyrings.map((keyring) => keyring.close?.()));
    },
  };
}
