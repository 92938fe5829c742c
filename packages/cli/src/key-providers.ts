import { type RemoteKey, VaultError } from '@credvault/core';
import { loadPackage } from './load-package.js';

/** Environment variables the CLI reads to reach a KMS/HSM (never printed). */
export type Env = Readonly<Record<string, string | undefined>>;

/** What a provider's package is needed for, in its error. */
const keysNeed = (provider: string) => ({ flag: `${provider} keys`, path: 'keys' });

function required(env: Env, name: string, provider: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new VaultError('INVALID_KEYRING', `${provider} keys need the environment variable ${name}`);
  }
  return value;
}

/**
 * Opens the KMS/HSM key `keyRef` of `provider`:
 * - `pkcs11`: `keyRef` is the key's label; `CREDVAULT_PKCS11_MODULE` (library path),
 *   `CREDVAULT_PKCS11_TOKEN` (token label, default the first token) and `CREDVAULT_PKCS11_PIN`.
 *   With `create`, a missing key is generated (non-extractable AES-256).
 * - `aws-kms`: `keyRef` is a key id, ARN or alias; region and credentials come from the usual AWS
 *   environment, `CREDVAULT_AWS_KMS_ENDPOINT` overrides the endpoint.
 * @throws VaultError `UNSUPPORTED` for an unknown provider or a missing package, `INVALID_KEYRING`
 *   for missing settings, `KEY_UNAVAILABLE` when the KMS/HSM cannot be used.
 */
export async function openProviderKey(provider: string, keyRef: string, env: Env, create = false): Promise<RemoteKey> {
  if (provider === 'pkcs11') {
    const { openPkcs11 } = await loadPackage(
      '@credvault/pkcs11',
      keysNeed(provider),
      () => import('@credvault/pkcs11'),
    );
    const token = await openPkcs11({
      module: required(env, 'CREDVAULT_PKCS11_MODULE', provider),
      pin: required(env, 'CREDVAULT_PKCS11_PIN', provider),
      ...(env.CREDVAULT_PKCS11_TOKEN ? { token: env.CREDVAULT_PKCS11_TOKEN } : {}),
    });
    try {
      if (create)
        await token.generateKey(keyRef).catch((error: unknown) => {
          if (!(error instanceof VaultError && error.code === 'INVALID_ARGUMENT')) throw error; // exists: use it
        });
      const key = await token.key(keyRef);
      return { ...key, name: key.name, close: async () => token.close() };
    } catch (error) {
      await token.close();
      throw error;
    }
  }
  if (provider === 'aws-kms') {
    const { awsKmsClient, awsKmsKey } = await loadPackage(
      '@credvault/aws-kms',
      keysNeed(provider),
      () => import('@credvault/aws-kms'),
    );
    const endpoint = env.CREDVAULT_AWS_KMS_ENDPOINT;
    const client = await awsKmsClient(endpoint ? { endpoint } : {});
    return awsKmsKey({ client, keyId: keyRef });
  }
  throw new VaultError('UNSUPPORTED', `unknown key provider "${provider}": use pkcs11 or aws-kms`, { path: 'keys' });
}
