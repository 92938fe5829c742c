import type { KMSClientConfig } from '@aws-sdk/client-kms';
import type { KmsApi } from './aws-kms-key.js';

/**
 * `new KMS(config)` from `@aws-sdk/client-kms`, imported only when called (region, credentials
 * and endpoint default to the usual AWS environment). Programs that build their own client
 * do not need this.
 */
export async function awsKmsClient(config: KMSClientConfig = {}): Promise<KmsApi> {
  const { KMS } = await import('@aws-sdk/client-kms');
  return new KMS(config);
}
