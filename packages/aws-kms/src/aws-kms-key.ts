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
  /**
   * The symmetric KMS key: key id, key ARN, alias name (`alias/credvault`) or alias ARN. `Decrypt`
   * is pinned to it, so prefer the key ARN: an alias re-pointed to another key (manual rotation)
   * no longer opens what the old key wrapped (`KEY_UNAVAILABLE`; see the README).
   */
  readonly keyId: string;
}

/** An alias name (`alias/x`) or alias ARN (`arn:aws:kms:region:account:alias/x`): it can be re-pointed. */
const ALIAS = /^(?:arn:[^:]+:kms:[^:]*:[^:]*:)?alias\//;

/**
 * `IncorrectKeyException`: the ciphertext was made by another key than the one `keyId` names.
 * Under a key id or key ARN (one key for ever) the ciphertext is foreign: `DECRYPT_FAILED`. Under
 * an alias the likely cause is the alias having been re-pointed (manual rotation): the data is
 * intact but this key id cannot open it any more, so `KEY_UNAVAILABLE`, saying so.
 */
function incorrectKey(name: string, keyId: string, error: unknown): VaultError {
  if (!ALIAS.test(keyId)) {
    return new VaultError(
      'DECRYPT_FAILED',
      `${name}: the wrapped key was made by another KMS key (IncorrectKeyException)`,
    );
  }
  return keyUnavailable(
    name,
    `IncorrectKeyException: the key id "${keyId}" no longer names the KMS key that wrapped this data key ` +
      '(alias re-pointed to another key?); give this kid the key ARN that wrapped it, or keep an alias on that key',
    error,
  );
}

function encryptionContext(context: Uint8Array): Record<string, string> {
  return { [CONTEXT_KEY]: Buffer.from(context).toString('base64url') };
}

function failure(name: string, error: unknown, decrypting: boolean, keyId: string): VaultError {
  const type = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  if (decrypting && type === 'IncorrectKeyException') return incorrectKey(name, keyId, error);
  if (decrypting && type === 'InvalidCiphertextException') {
    return new VaultError('DECRYPT_FAILED', `${name}: the wrapped key does not authenticate (${type})`);
  }
  return keyUnavailable(name, message === '' || message === type ? type : `${type}: ${message}`, error);
}

/**
 * One AWS KMS key as a {@link RemoteKey}: `Encrypt`/`Decrypt` with credvault's context as the
 * encryption context (`{"credvault:context": base64url(context)}`), which KMS authenticates;
 * `Decrypt` names the key, so a ciphertext of another key is refused (`DECRYPT_FAILED` under a
 * key id or ARN; `KEY_UNAVAILABLE` under an alias, which may have been re-pointed). The
 * ciphertext is the KMS `CiphertextBlob`, as it is.
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
        throw failure(name, error, false, keyId);
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
        throw failure(name, error, true, keyId);
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
    throw failure(remote.name, error, false, options.keyId);
  }
  const { Plaintext: key, CiphertextBlob: wrapped } = out;
  if (key === undefined || wrapped === undefined) throw keyUnavailable(remote.name, 'GenerateDataKey returned no key');
  key.fill(0);
  return { kid, wrapped, by: remote };
}
