import type { KMSClientConfig } from '@aws-sdk/client-kms';
import { VaultError } from '@credvault/core';
import type { KmsApi } from './aws-kms-key.js';

/**
 * The timeouts {@link awsKmsClient} gives the SDK's HTTP handler unless `config.requestHandler`
 * says otherwise, in milliseconds: `connectionTimeout` to establish the connection (TCP and TLS),
 * `requestTimeout` for one whole attempt, after which the attempt fails with `TimeoutError`
 * (`throwOnRequestTimeout: true`) and is retried up to the client's `maxAttempts` (default 3).
 * The SDK itself sets neither: an endpoint that accepts the connection and never answers would
 * hold each call as long as the socket stays open (at best a 5-minute idle timeout, per attempt).
 */
export const KMS_CLIENT_TIMEOUTS: { readonly connectionTimeout: number; readonly requestTimeout: number } =
  Object.freeze({ connectionTimeout: 3_000, requestTimeout: 5_000 });

type RequestHandler = NonNullable<KMSClientConfig['requestHandler']>;

/** The defaults under the caller's handler options; a handler instance (with `handle`) is kept as it is. */
function withTimeouts(handler: RequestHandler | undefined): RequestHandler {
  if (handler !== undefined && typeof (handler as { handle?: unknown }).handle === 'function') return handler;
  return { ...KMS_CLIENT_TIMEOUTS, throwOnRequestTimeout: true, ...(handler as Record<string, unknown> | undefined) };
}

/**
 * `new KMS(config)` from `@aws-sdk/client-kms`, imported only when called (region, credentials
 * and endpoint default to the usual AWS environment), with {@link KMS_CLIENT_TIMEOUTS} so that a
 * KMS that never answers fails (`KEY_UNAVAILABLE`) instead of hanging. Override them with
 * handler options, e.g. `requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 }`
 * (the options given win, the others stay); a handler instance (`new NodeHttpHandler(...)`) is
 * used as it is. Programs that build their own client do not need this, but should set timeouts.
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
  return new sdk.KMS({ ...config, requestHandler: withTimeouts(config.requestHandler) });
}
