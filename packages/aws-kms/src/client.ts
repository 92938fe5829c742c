import type { KMSClientConfig } from '@aws-sdk/client-kms';
import { VaultError } from '@credvault/core';
import type { KmsApi } from './aws-kms-key.js';

/**
 * `new KMS(config)` from `@aws-sdk/client-kms`, imported only when called (region, credentials
 * and endpoint default to the usual AWS environment). Programs that build their own client
 * do not need this.
 * @throws VaultError `UNSUPPORTED` when `@aws-sdk/client-kms` cannot be loaded.
 */
export async function awsKmsClient(config: KMSClientConfig = {}): Promise<KmsApi> {
  let sdk: typeof import('@aws-sdk/client-kms');
  try {
    sdk = await import('@aws-sdk/client-kms');
  } catch (cause) {
    throw new VaultError(
      'UNSUPPORTED',
      '@aws-sdk/client-kms is missing or failed to load (npm install @aws-sdk/client-kms)',
      {
        cause,
      },
    );
  }
  return new sdk.KMS(config);
}
