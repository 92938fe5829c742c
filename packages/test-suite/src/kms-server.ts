import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type Hooks, useBackend } from './use-backend.js';

/** One symmetric key of the local KMS. */
export interface KmsTestKey {
  readonly keyId: string;
  readonly arn: string;
  /** Disabled keys answer `DisabledException`. */
  enabled: boolean;
  /** Denied keys answer `AccessDeniedException`. */
  denied: boolean;
}

/**
 * A local HTTP server that speaks the AWS KMS JSON protocol (`X-Amz-Target: TrentService.*`,
 * `application/x-amz-json-1.1`) for Encrypt, Decrypt and GenerateDataKey, with real AES-256-GCM
 * inside (the encryption context, canonicalized, and the key ARN as associated data) and KMS's
 * error types. It checks that requests are SigV4-signed and records the access key ids it saw;
 * it does not verify signatures.
 */
export interface KmsServer {
  /** `http://127.0.0.1:<port>`: the client's `endpoint`. */
  readonly url: string;
  readonly region: string;
  /** Creates a key, optionally with an alias (`alias/<name>`). */
  createKey(alias?: string): KmsTestKey;
  /** Calls answered so far, per operation (`Encrypt`, `Decrypt`, `GenerateDataKey`), failed ones included. */
  readonly calls: Record<string, number>;
  /** Access key ids of the signed requests received. */
  readonly accessKeyIds: Set<string>;
  stop(): Promise<void>;
}

class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const ACCOUNT = '111122223333';

function canonicalContext(context: unknown): string {
  if (context === undefined || context === null) return '{}';
  if (typeof context !== 'object') throw new KmsError('ValidationException', 'EncryptionContext must be a map');
  const entries = Object.entries(context as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [, value] of entries) {
    if (typeof value !== 'string')
      throw new KmsError('ValidationException', 'EncryptionContext values must be strings');
  }
  return JSON.stringify(entries);
}

function blob(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || value === '') throw new KmsError('ValidationException', `${field} is required`);
  return Buffer.from(value, 'base64');
}

/** Starts the server on a free loopback port. */
export async function startKmsServer(region = 'us-east-1'): Promise<KmsServer> {
  const keys = new Map<string, KmsTestKey & { material: Buffer }>();
  const aliases = new Map<string, string>();
  const calls: Record<string, number> = {};
  const accessKeyIds = new Set<string>();

  const resolve = (keyId: unknown) => {
    if (typeof keyId !== 'string' || keyId === '') throw new KmsError('ValidationException', 'KeyId is required');
    let id = keyId.replace(/^arn:aws:kms:[^:]+:\d+:/, '');
    if (id.startsWith('alias/')) id = aliases.get(id) ?? '';
    const key = keys.get(id.replace(/^key\//, ''));
    if (key === undefined) throw new KmsError('NotFoundException', `Key '${keyId}' does not exist`);
    if (key.denied) throw new KmsError('AccessDeniedException', `User is not authorized to use ${key.arn}`);
    if (!key.enabled) throw new KmsError('DisabledException', `${key.arn} is disabled.`);
    return key;
  };
  const seal = (key: KmsTestKey & { material: Buffer }, plaintext: Buffer, context: string): Buffer => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.material, iv).setAAD(Buffer.from(`${key.arn}\n${context}`));
    const id = Buffer.from(key.keyId);
    return Buffer.concat([
      Buffer.from([1, id.length]),
      id,
      iv,
      cipher.update(plaintext),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
  };
  const operations: Record<string, (input: Record<string, unknown>) => Record<string, unknown>> = {
    Encrypt(input) {
      const key = resolve(input.KeyId);
      const plaintext = blob(input.Plaintext, 'Plaintext');
      const ciphertext = seal(key, plaintext, canonicalContext(input.EncryptionContext));
      return {
        CiphertextBlob: ciphertext.toString('base64'),
        KeyId: key.arn,
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    },
    GenerateDataKey(input) {
      const key = resolve(input.KeyId);
      const length = input.KeySpec === 'AES_256' ? 32 : input.KeySpec === 'AES_128' ? 16 : Number(input.NumberOfBytes);
      if (!Number.isInteger(length) || length < 1 || length > 1024) {
        throw new KmsError('ValidationException', 'KeySpec or NumberOfBytes is required');
      }
      const plaintext = randomBytes(length);
      const ciphertext = seal(key, plaintext, canonicalContext(input.EncryptionContext));
      return { CiphertextBlob: ciphertext.toString('base64'), Plaintext: plaintext.toString('base64'), KeyId: key.arn };
    },
    Decrypt(input) {
      const ciphertext = blob(input.CiphertextBlob, 'CiphertextBlob');
      const idLength = ciphertext[1] ?? 0;
      if (ciphertext[0] !== 1 || ciphertext.length < 2 + idLength + 12 + 16) {
        throw new KmsError('InvalidCiphertextException', '');
      }
      const key = keys.get(ciphertext.subarray(2, 2 + idLength).toString());
      if (key === undefined) throw new KmsError('InvalidCiphertextException', '');
      if (input.KeyId !== undefined && resolve(input.KeyId) !== key) {
        throw new KmsError(
          'IncorrectKeyException',
          'The key ID in the request does not identify the key that encrypted the ciphertext',
        );
      }
      resolve(key.keyId); // enabled, allowed
      const body = ciphertext.subarray(2 + idLength);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.material, body.subarray(0, 12))
          .setAAD(Buffer.from(`${key.arn}\n${canonicalContext(input.EncryptionContext)}`))
          .setAuthTag(body.subarray(body.length - 16));
        const plaintext = Buffer.concat([decipher.update(body.subarray(12, body.length - 16)), decipher.final()]);
        return { Plaintext: plaintext.toString('base64'), KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
      } catch {
        throw new KmsError('InvalidCiphertextException', '');
      }
    },
  };

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('TrentService.') ? target.slice('TrentService.'.length) : '';
    calls[operation] = (calls[operation] ?? 0) + 1;
    try {
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/x-amz-json-1.1') {
        throw new KmsError('UnknownOperationException', 'expected a POST of application/x-amz-json-1.1');
      }
      const signed = /^AWS4-HMAC-SHA256 Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''));
      if (signed === null) throw new KmsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
      accessKeyIds.add(signed[1] as string);
      const run = operations[operation];
      if (run === undefined) throw new KmsError('UnknownOperationException', `unsupported ${target}`);
      answer(res, 200, run(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')));
    } catch (error) {
      if (error instanceof KmsError) answer(res, 400, { __type: error.type, message: error.message });
      else answer(res, 500, { __type: 'KMSInternalException', message: 'internal error' });
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    region,
    calls,
    accessKeyIds,
    createKey(alias) {
      const keyId = randomUUID();
      const key = { keyId, arn: `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`, enabled: true, denied: false };
      keys.set(keyId, { ...key, material: randomBytes(32) });
      if (alias !== undefined) aliases.set(`alias/${alias}`, keyId);
      return keys.get(keyId) as KmsTestKey;
    },
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A local KMS server for the tests of one file, started before them and stopped after. */
export function useKmsServer(hooks: Hooks): { server(): KmsServer } {
  const kms = useBackend(hooks, {
    name: 'the KMS server',
    available: true,
    start: () => startKmsServer(),
    stop: (server) => server.stop(),
  });
  return { server: kms.get };
}
