import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKeyring, generateKey, type VaultStore } from '@credvault/core';
import { redisStore } from '@credvault/redis';
import { sqliteStore } from '@credvault/sqlite';
import { useRedisServer, useTempDir } from '@credvault/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Server, startServer } from '../src/server.js';

const dir = await useTempDir('backend', { afterAll });
const redis = useRedisServer({ beforeAll, afterAll });

type Json = Record<string, unknown>;

function routes(name: string, makeStore: () => VaultStore, skip = false) {
  describe.skipIf(skip)(`examples/backend over HTTP (${name})`, () => {
    let server: Server;
    let store: VaultStore;
    beforeAll(async () => {
      store = makeStore();
      server = await startServer({ store, keyring: createKeyring([{ kid: 'k1', key: generateKey() }]) });
    });
    afterAll(() => server.close());

    const call = async (path: string, init: RequestInit & { token?: string } = {}) => {
      const headers = init.token === undefined ? {} : { authorization: `Bearer ${init.token}` };
      const response = await fetch(`${server.url}${path}`, { ...init, headers });
      const text = await response.text();
      return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Json };
    };
    const connect = async (project = 'p1') =>
      (await call(`/oauth/callback?code=c-${Math.random()}&project=${project}&user=u1`)).body as {
        idConnection: string;
        connectionToken: string;
      };

    it('stores a Connection from the OAuth callback and hands out a connection token once', async () => {
      const { status, body } = await call('/oauth/callback?code=abc&project=acme&user=u-7&provider=salesforce');
      expect(status).toBe(201);
      expect(body.connectionToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect((await call('/provider/stats')).body.codeExchanges).toBeGreaterThanOrEqual(1);
      expect((await call('/oauth/callback?project=acme')).status).toBe(400);
    });

    it('resolves the caller’s connection token to a redacted view of its connection', async () => {
      const { idConnection, connectionToken } = await connect('acme');
      const { status, body } = await call('/api/connection', { token: connectionToken });
      expect(status).toBe(200);
      expect(body).toMatchObject({
        id: idConnection,
        idProject: 'acme',
        idLinkedUser: 'u1',
        accessToken: '[REDACTED]',
        refreshToken: '[REDACTED]',
        connectionToken: '[REDACTED]',
      });
      expect(Date.parse(body.expiresAt as string)).toBeGreaterThan(Date.now() + 3_000_000);
      expect(JSON.stringify(body)).not.toContain(connectionToken);
      expect((await call('/api/connection', { token: 'not-a-token' })).status).toBe(401);
      expect((await call('/api/connection')).status).toBe(401);
    });

    it('refreshes once for 20 concurrent requests, storing the rotated refresh token', async () => {
      const { connectionToken } = await connect();
      const before = (await call('/provider/stats')).body.refreshes as number;
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          call('/api/connection/refresh?force=1', { method: 'POST', token: connectionToken }),
        ),
      );
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(new Set(answers.map((a) => a.body.expiresAt)).size).toBe(1);
      expect((await call('/provider/stats')).body.refreshes).toBe(before + 1);
      // The provider revoked the old refresh token; the next refresh works only if the new one was stored.
      const again = await call('/api/connection/refresh?force=1', { method: 'POST', token: connectionToken });
      expect(again.status).toBe(200);
      expect((await call('/provider/stats')).body.refreshes).toBe(before + 2);
    });

    it('does not call the provider for a token that is still fresh', async () => {
      const { connectionToken } = await connect();
      const before = (await call('/provider/stats')).body.refreshes;
      expect((await call('/api/connection/refresh', { method: 'POST', token: connectionToken })).status).toBe(200);
      expect((await call('/provider/stats')).body.refreshes).toBe(before);
    });

    it('answers 502 when the provider refuses, leaving the connection usable', async () => {
      const { idConnection, connectionToken } = await connect();
      const key = `connections:${idConnection}`;
      const before = await store.get(key);
      server.provider.stats.refused = 0;
      // One refresh makes the provider revoke the stored refresh token; then put the old
      // envelope back, so the vault holds a refresh token the provider no longer accepts.
      expect((await call('/api/connection/refresh?force=1', { method: 'POST', token: connectionToken })).status).toBe(
        200,
      );
      const stored = await store.get(key);
      await store.set(key, before as string);
      const refused = await call('/api/connection/refresh?force=1', { method: 'POST', token: connectionToken });
      expect(refused.status).toBe(502);
      expect(refused.body).toEqual({ error: 'the provider refused the refresh' });
      expect(server.provider.stats.refused).toBe(1);
      expect(await store.get(key)).toBe(before); // unchanged
      expect(stored).not.toBe(before);
      expect((await call('/api/connection', { token: connectionToken })).status).toBe(200);
    });

    it('deletes a connection, after which its token finds nothing', async () => {
      const { connectionToken } = await connect();
      expect((await call('/api/connection', { method: 'DELETE', token: connectionToken })).status).toBe(204);
      expect((await call('/api/connection', { token: connectionToken })).status).toBe(401);
    });

    it('logged audit events without secrets, and stored no token in clear', async () => {
      const { connectionToken } = await connect();
      await call('/api/connection', { token: connectionToken });
      const types = new Set(server.audit.map((e) => e.type));
      for (const type of ['set', 'get', 'refresh', 'refreshFailed', 'delete']) expect(types).toContain(type);
      expect(JSON.stringify(server.audit)).not.toContain(connectionToken);
      const raw: string[] = [];
      if (store.entries !== undefined) for await (const [, value] of store.entries('')) raw.push(value);
      expect(raw.join('\n')).not.toContain(connectionToken);
      if (name === 'sqlite') expect((await readFile(join(dir, 'backend.db'))).includes(connectionToken)).toBe(false);
    });
  });
}

routes('sqlite', () => sqliteStore({ path: join(dir, 'backend.db') }));
routes('redis', () => redisStore({ url: redis.url() }), !redis.available);
