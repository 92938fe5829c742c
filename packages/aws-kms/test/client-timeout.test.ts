import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { generateKey } from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { awsKmsClient, awsKmsKey, KMS_CLIENT_TIMEOUTS } from '../src/index.js';

/** A TCP server that accepts connections and never answers (a hung KMS endpoint or proxy). */
async function silentServer(): Promise<{ url: string; accepted(): number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    accepted: () => accepted,
    async stop() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

const credentials = { accessKeyId: 'AKIDTIMEOUTTEST', secretAccessKey: 'test-secret-access-key' };

async function timeToFail(config: Parameters<typeof awsKmsClient>[0]): Promise<{ error: unknown; ms: number }> {
  const client = await awsKmsClient(config);
  const started = Date.now();
  const error = await awsKmsKey({ client, keyId: 'alias/credvault' })
    .encrypt(generateKey(), new Uint8Array([1]))
    .then(
      () => 'resolved',
      (e: unknown) => e,
    );
  return { error, ms: Date.now() - started };
}

describe('awsKmsClient timeouts, against an endpoint that accepts and never answers', () => {
  it('fails with KEY_UNAVAILABLE after the default request timeout instead of hanging', async () => {
    expect(KMS_CLIENT_TIMEOUTS).toEqual({ connectionTimeout: 3_000, requestTimeout: 5_000 });
    const silent = await silentServer();
    try {
      const { error, ms } = await timeToFail({
        region: 'us-east-1',
        endpoint: silent.url,
        credentials,
        maxAttempts: 1,
      });
      expect(silent.accepted()).toBe(1);
      expect(error).toMatchObject({ code: 'KEY_UNAVAILABLE' });
      expect(String(error)).toContain('TimeoutError');
      expect(ms).toBeGreaterThanOrEqual(KMS_CLIENT_TIMEOUTS.requestTimeout - 100);
      expect(ms).toBeLessThan(KMS_CLIENT_TIMEOUTS.requestTimeout + 3_000);
    } finally {
      await silent.stop();
    }
  }, 15_000);

  it('takes shorter (or longer) timeouts from config.requestHandler, keeping the other defaults', async () => {
    const silent = await silentServer();
    try {
      const { error, ms } = await timeToFail({
        region: 'us-east-1',
        endpoint: silent.url,
        credentials,
        maxAttempts: 2,
        requestHandler: { requestTimeout: 300 },
      });
      expect(silent.accepted()).toBe(2); // a timeout is retried like any transient failure
      expect(error).toMatchObject({ code: 'KEY_UNAVAILABLE' });
      expect(String(error)).toContain('TimeoutError');
      expect(ms).toBeLessThan(3_000);
    } finally {
      await silent.stop();
    }
  }, 10_000);
});
