export { type AwsKmsKeyOptions, awsKmsKey, CONTEXT_KEY, generateWrappedKey, type KmsApi } from './aws-kms-key.js';
export { awsKmsClient } from './client.js';
