export { type AwsKmsKeyOptions, awsKmsKey, CONTEXT_KEY, generateWrappedKey, type KmsApi } from './aws-kms-key.js';
export { awsKmsClient, KMS_CLIENT_TIMEOUTS } from './client.js';
