import {
  type AnyCredentialSchema,
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  type KeyEncryptionKeys,
  type Keyring,
  keyvStore,
  type Vault,
} from '@credvault/core';
import { Keyv } from 'keyv';

/** A keyring of one fresh key `k1`. */
export function testKeyring(kid = 'k1'): Keyring {
  return createKeyring([{ kid, key: generateKey() }]);
}

/** A vault over a fresh in-memory Keyv, with direct access to that Keyv for raw reads and writes. */
export function memoryVault<
  S extends AnyCredentialSchema = typeof connectionSchema,
  K extends KeyEncryptionKeys = Keyring,
>(
  options: { schema?: S; keyring?: K; namespace?: string } = {},
): { vault: Vault<S>; keyv: Keyv; raw: (id: string) => Promise<string>; keyring: K } {
  const keyv = new Keyv();
  const keyring = options.keyring ?? (testKeyring() as KeyEncryptionKeys as K);
  const namespace = options.namespace ?? 'test';
  const vault = createVault({
    store: keyvStore(keyv),
    keyring,
    schema: (options.schema ?? connectionSchema) as S,
    namespace,
  });
  const raw = async (id: string) => String(await keyv.get(`${namespace}:${id}`));
  return { vault, keyv, raw, keyring };
}
