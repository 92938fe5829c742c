import type {
  DecryptCommandInput,
  DecryptCommandOutput,
  EncryptCommandInput,
  EncryptCommandOutput,
  GenerateDataKeyCommandInput,
  GenerateDataKeyCommandOutput,
} from '@aws-sdk/client-kms';
import {
  createKeyring,
  keyUnavailable,
  masterKeyContext,
  type RemoteKey,
  VaultError,
  type WrappedKeyEntry,
} from '@credvault/core';

/** The encryption-context member that carries credvault's context bytes (base64url). */
export const CONTEXT_KEY = 'credvault:context';

/**
 * The three KMS operations this package calls: an `@aws-sdk/client-kms` `KMS` instance
 * (`new KMS({ region, credentials, endpoint })`) is one. Typed structurally, so the package has
 * no runtime import of the SDK and uses the client (and its middleware, retries, credentials)
 * exactly as you configured it.
 */
export interface KmsApi {
  encrypt(input: EncryptCommandInput): Promise<EncryptCommandOutput>;
  decrypt(input: DecryptCommandInput): Promise<DecryptCommandOutput>;
  generateDataKey(input: GenerateDataKeyCommandInput): Promise<GenerateDataKeyCommandOutput>;
}

/** Options of {@link awsKmsKey}. */
export interface AwsKmsKeyOptions {
  /** A configured client (region, credentials, endpoint): this package never builds one itself. */
  readonly client: KmsApi;
  /** The symmetric KMS key: key id, key ARN, alias name (`alias/credvault`) or alias ARN. */
  readonly keyId: string;
}

/** KMS answers that mean "this ciphertext does not open here" rather than "KMS cannot be used". */
const NOT_AUTHENTIC = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

function encryptionContext(context: Uint8Array): Record<string, string> {
  return { [CONTEXT_KEY]: Buffer.from(context).toString('base64url') };
}

function failure(name: string, error: unknown, decrypting: boolean): VaultError {
  const type = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  if (decrypting && NOT_AUTHENTIC.has(type)) {
    return new VaultError('DECRYPT_FAILED', `${name}: the wrapped key does not authenticate (${type})`);
  }
  return keyUnavailable(name, message === '' || message === type ? type : `${type}: ${message}`, error);
}

/**
 * One AWS KMS key as a {@link RemoteKey}: `Encrypt`/`Decrypt` with credvault's context as the
 * encryption context (`{"credvault:context": base64url(context)}`), which KMS authenticates;
 * `Decrypt` names the key, so a ciphertext of another key is refused. The ciphertext is the
 * KMS `CiphertextBlob`, as it is.
 * @example
 * ```ts
 * const remote = awsKmsKey({ client: new KMS({ region: 'eu-west-1' }), keyId: 'alias/credvault' })
 * const keys = cachedKeys(remoteKeys([{ kid: 'kms1', remote }]))
 * ```
 */
export function awsKmsKey(options: AwsKmsKeyOptions): RemoteKey {
  const { client, keyId } = options;
  const name = `aws-kms:${keyId}`;
  return {
    name,
    async encrypt(plaintext, context) {
      try {
        const out = await client.encrypt({
          KeyId: keyId,
          Plaintext: plaintext,
          EncryptionContext: encryptionContext(context),
        });
        if (out.CiphertextBlob === undefined) throw new Error('Encrypt returned no CiphertextBlob');
        return out.CiphertextBlob;
      } catch (error) {
        throw failure(name, error, false);
      }
    },
    async decrypt(ciphertext, context) {
      if (ciphertext.length === 0) throw new VaultError('DECRYPT_FAILED', `${name}: empty wrapped key`);
      let plaintext: Uint8Array | undefined;
      try {
        const out = await client.decrypt({
          KeyId: keyId,
          CiphertextBlob: ciphertext,
          EncryptionContext: encryptionContext(context),
        });
        plaintext = out.Plaintext;
      } catch (error) {
        throw failure(name, error, true);
      }
      if (plaintext === undefined) throw keyUnavailable(name, 'Decrypt returned no Plaintext');
      return plaintext;
    },
  };
}

/**
 * Makes a new master key with KMS `GenerateDataKey` (AES_256, bound to `kid` by the encryption
 * context) and returns only its wrapped form, for a key list of wrapped local keys; the
 * plaintext copy is wiped. Decrypt it with {@link awsKmsKey} through `unwrapKeyring`.
 * @throws VaultError `KEY_UNAVAILABLE` when KMS cannot be used, `INVALID_KEYRING` for a bad kid.
 */
export async function generateWrappedKey(options: AwsKmsKeyOptions, kid: string): Promise<WrappedKeyEntry> {
  createKeyring([{ kid, key: new Uint8Array(32) }]); // checks the kid before any KMS call
  const remote = awsKmsKey(options);
  let out: { Plaintext?: Uint8Array | undefined; CiphertextBlob?: Uint8Array | undefined };
  try {
    out = await options.client.generateDataKey({
      KeyId: options.keyId,
      KeySpec: 'AES_256',
      EncryptionContext: encryptionContext(masterKeyContext(kid)),
    });
  } catch (error) {
    throw failure(remote.name, error, false);
  }
  const { Plaintext: key, CiphertextBlob: wrapped } = out;
  if (key === undefined || wrapped === undefined) throw keyUnavailable(remote.name, 'GenerateDataKey returned no key');
  key.fill(0);
  return { kid, wrapped, by: remote };
}
