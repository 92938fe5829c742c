import { KMS } from '@aws-sdk/client-kms';
import {
  connectionSchema,
  createVault,
  generateKey,
  isVaultError,
  memoryStore,
  remoteKeys,
  unwrapKeyring,
} from '@credvault/core';
import {
  type KmsServer,
  providerComplianceSuite,
  startKmsServer,
  suiteConnection,
  useKmsServer,
} from '@credvault/test-suite';
import * as vitest from 'vitest';
import { awsKmsKey, generateWrappedKey } from '../src/index.js';

const { describe, it, expect } = vitest;
const kms = useKmsServer(vitest);

function client(server: KmsServer, accessKeyId = 'AKIDTESTCREDVAULT'): KMS {
  return new KMS({
    region: server.region,
    endpoint: server.url,
    credentials: { accessKeyId, secretAccessKey: 'test-secret-access-key' },
    maxAttempts: 1,
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (isVaultError(error) ? error.code : String(error)),
  );
}

let keyA: string | undefined;
let keyB: string | undefined;
/** Key A by its ARN, key B by its key id: ids that name one key for ever (an alias can be re-pointed). */
function keys(): { a: string; b: string } {
  keyA ??= kms.server().createKey('credvault-a').arn;
  keyB ??= kms.server().createKey('credvault-b').keyId;
  return { a: keyA, b: keyB };
}

describe('@credvault/aws-kms against the local KMS server', () => {
  providerComplianceSuite(vitest, {
    name: 'aws-kms (local KMS JSON server)',
    key: async () => awsKmsKey({ client: client(kms.server()), keyId: keys().a }),
    otherKey: async () => awsKmsKey({ client: client(kms.server()), keyId: keys().b }),
    missingKey: async () => awsKmsKey({ client: client(kms.server()), keyId: 'alias/does-not-exist' }),
    decryptCalls: () => kms.server().calls.Decrypt ?? 0,
  });

  it('passes the endpoint and credentials through to the SDK, and uses the context as EncryptionContext', async () => {
    const server = kms.server();
    const remote = awsKmsKey({ client: client(server, 'AKIDPASSTHROUGH1'), keyId: 'alias/credvault-a' });
    keys();
    const before = server.calls.Encrypt ?? 0;
    const wrapped = await remote.encrypt(generateKey(), new Uint8Array([1, 2, 3]));
    expect(server.calls.Encrypt).toBe(before + 1);
    expect(server.accessKeyIds.has('AKIDPASSTHROUGH1')).toBe(true);
    expect(await codeOf(remote.decrypt(wrapped, new Uint8Array([1, 2, 4])))).toBe('DECRYPT_FAILED');
  });

  it('maps KMS refusals to KEY_UNAVAILABLE with the reason, and never tries another key', async () => {
    const server = kms.server();
    const disabled = server.createKey('disabled');
    const denied = server.createKey('denied');
    const remoteDisabled = awsKmsKey({ client: client(server), keyId: disabled.arn });
    const wrapped = await remoteDisabled.encrypt(generateKey(), new Uint8Array([9]));
    disabled.enabled = false;
    const error = await remoteDisabled.decrypt(wrapped, new Uint8Array([9])).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KEY_UNAVAILABLE' });
    expect(String(error)).toContain('DisabledException');
    denied.denied = true;
    const deniedError = await awsKmsKey({ client: client(server), keyId: 'alias/denied' })
      .encrypt(generateKey(), new Uint8Array([9]))
      .catch((e: unknown) => e);
    expect(String(deniedError)).toMatch(/KEY_UNAVAILABLE: aws-kms:alias\/denied: AccessDeniedException/);
    expect(
      String(
        await awsKmsKey({ client: client(server), keyId: 'alias/nope' })
          .encrypt(generateKey(), new Uint8Array())
          .catch((e: unknown) => e),
      ),
    ).toContain('NotFoundException');
  });

  it('an alias re-pointed to another key (manual rotation) is KEY_UNAVAILABLE, not DECRYPT_FAILED', async () => {
    const server = kms.server();
    const keyA = server.createKey('rotated'); // alias/rotated names key A
    const store = memoryStore();
    const open = () =>
      createVault({
        store,
        keyring: remoteKeys([
          { kid: 'kms-alias', remote: awsKmsKey({ client: client(server), keyId: 'alias/rotated' }) },
        ]),
        schema: connectionSchema,
        namespace: 'alias',
      });
    await open().set('r1', suiteConnection('r1'));
    expect((await open().get('r1'))?.accessToken).toBeDefined();
    server.createKey('rotated'); // alias/rotated now names key B (UpdateAlias)
    const error = await open()
      .get('r1')
      .catch((e: unknown) => e);
    expect(isVaultError(error, 'KEY_UNAVAILABLE')).toBe(true);
    expect(String(error)).toContain('IncorrectKeyException');
    expect(String(error)).toMatch(/no longer names the KMS key that wrapped this data key.*alias re-pointed/);
    // the data is intact: the key ARN that wrapped it opens it
    const byArn = createVault({
      store,
      keyring: remoteKeys([{ kid: 'kms-alias', remote: awsKmsKey({ client: client(server), keyId: keyA.arn }) }]),
      schema: connectionSchema,
      namespace: 'alias',
    });
    expect((await byArn.get('r1'))?.accessToken).toBeDefined();
  });

  it('a ciphertext of another key under a key ARN or key id (which cannot be re-pointed) is DECRYPT_FAILED', async () => {
    const server = kms.server();
    const other = server.createKey();
    const wrapped = await awsKmsKey({ client: client(server), keyId: keys().a }).encrypt(
      generateKey(),
      new Uint8Array([5]),
    );
    for (const keyId of [other.keyId, other.arn]) {
      const error = await awsKmsKey({ client: client(server), keyId })
        .decrypt(wrapped, new Uint8Array([5]))
        .catch((e: unknown) => e);
      expect(error, keyId).toMatchObject({ code: 'DECRYPT_FAILED' });
      expect(String(error)).toContain('IncorrectKeyException');
    }
  });

  it('reports an unreachable KMS as KEY_UNAVAILABLE', async () => {
    const gone = await startKmsServer();
    await gone.stop();
    const remote = awsKmsKey({ client: client(gone), keyId: 'alias/x' });
    expect(await codeOf(remote.encrypt(generateKey(), new Uint8Array([1])))).toBe('KEY_UNAVAILABLE');
  });

  it('generates a wrapped master key with GenerateDataKey, opened once at start-up', async () => {
    const server = kms.server();
    const options = { client: client(server), keyId: keys().a };
    const entry = await generateWrappedKey(options, 'kms-wrapped-1');
    expect(server.calls.GenerateDataKey).toBe(1);
    const keyring = await unwrapKeyring([{ kid: entry.kid, wrapped: entry.wrapped }], awsKmsKey(options));
    expect(keyring.kids).toEqual(['kms-wrapped-1']);
    // bound to its kid through the encryption context
    expect(await codeOf(unwrapKeyring([{ kid: 'other-kid', wrapped: entry.wrapped }], awsKmsKey(options)))).toBe(
      'INVALID_KEYRING',
    );
  });
});
