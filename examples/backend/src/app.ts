// The service: an OAuth callback stores a Connection, API routes find the caller's connection
// by the connection token they present, show it redacted, refresh it, and delete it.
import { randomBytes, randomUUID } from 'node:crypto';
import { type Connection, type connectionSchema, expiresAt, isVaultError, redact, type Vault } from '@credvault/core';
import { type Context, Hono } from 'hono';
import { stubProvider } from './provider.js';

type Tokens = { access_token: string; refresh_token: string; expires_in: number };

/** What the service needs: its vault and where its provider answers. */
export interface AppOptions {
  readonly vault: Vault<typeof connectionSchema>;
  /** Base URL of the provider's token endpoint host, e.g. `http://127.0.0.1:3000/provider`. */
  readonly providerUrl: () => string;
}

async function callProvider(url: string, body: object): Promise<Tokens> {
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`provider answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Tokens;
}

/** A connection as the API shows it: secrets replaced, expiry spelled out. */
function view(id: string, connection: Connection) {
  return { id, ...redact(connection), expiresAt: expiresAt(connection)?.toISOString() };
}

/** Builds the service (and mounts the stub provider under /provider). */
export function createApp({ vault, providerUrl }: AppOptions) {
  const provider = stubProvider();

  /** The connection the caller's bearer token names, or undefined. */
  async function caller(c: Context) {
    const header = c.req.header('authorization') ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
    return presented === '' ? undefined : vault.findBy('connectionToken', presented);
  }

  const app = new Hono()
    .route('/provider', provider.app)
    .get('/oauth/callback', async (c) => {
      const { code, project, user, provider: slug = 'hubspot' } = c.req.query();
      if (!code || !project || !user) return c.json({ error: 'code, project and user are required' }, 400);
      const tokens = await callProvider(providerUrl(), { grant_type: 'authorization_code', code });
      const idConnection = randomUUID();
      const connectionToken = randomBytes(24).toString('base64url'); // shown once, stored only sealed and blind-indexed
      await vault.set(idConnection, {
        idConnection,
        status: 'active',
        providerSlug: slug,
        vertical: 'crm',
        accountUrl: `https://${slug}.example.com/account`,
        tokenType: 'oauth2',
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        expirationTimestamp: new Date(Date.now() + tokens.expires_in * 1000),
        createdAt: new Date(),
        connectionToken,
        idProject: project,
        idLinkedUser: user,
      });
      return c.json({ idConnection, connectionToken }, 201);
    })
    .get('/api/connection', async (c) => {
      const found = await caller(c);
      return found === undefined
        ? c.json({ error: 'unknown connection token' }, 401)
        : c.json(view(found.id, found.record));
    })
    .post('/api/connection/refresh', async (c) => {
      const found = await caller(c);
      if (found === undefined) return c.json({ error: 'unknown connection token' }, 401);
      const force = c.req.query('force') === '1';
      try {
        const fresh = await vault.refresh(
          found.id,
          async (current) => {
            const tokens = await callProvider(providerUrl(), {
              grant_type: 'refresh_token',
              refresh_token: current.refreshToken,
            });
            return {
              ...current,
              accessToken: tokens.access_token,
              refreshToken: tokens.refresh_token,
              expirationTimestamp: new Date(Date.now() + tokens.expires_in * 1000),
            };
          },
          { force },
        );
        return c.json(view(found.id, fresh));
      } catch (error) {
        if (isVaultError(error, 'REFRESH_FAILED')) return c.json({ error: 'the provider refused the refresh' }, 502);
        throw error;
      }
    })
    .delete('/api/connection', async (c) => {
      const found = await caller(c);
      if (found === undefined) return c.json({ error: 'unknown connection token' }, 401);
      await vault.delete(found.id);
      return c.body(null, 204);
    });
  app.onError((error, c) => {
    // Never echo the error: a VaultError names no secret, but other errors might.
    console.error(`request failed: ${isVaultError(error) ? error.code : 'internal error'}`);
    return c.json({ error: 'internal error' }, 500);
  });
  return { app, provider };
}
