// A stub OAuth provider, served by the example itself: authorization codes become tokens,
// and refresh tokens rotate (using one revokes it, as many real providers do).
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';

const token = (kind: string) => `${kind}-${randomBytes(12).toString('base64url')}`;

/** The provider's routes and counters. */
export function stubProvider() {
  const live = new Set<string>();
  const stats = { codeExchanges: 0, refreshes: 0, refused: 0 };
  const grant = () => {
    const pair = { access_token: token('at'), refresh_token: token('rt'), expires_in: 3600, token_type: 'Bearer' };
    live.add(pair.refresh_token);
    return pair;
  };
  const app = new Hono()
    .post('/token', async (c) => {
      const body = (await c.req.json()) as { grant_type?: string; code?: string; refresh_token?: string };
      if (body.grant_type === 'authorization_code' && typeof body.code === 'string' && body.code !== '') {
        stats.codeExchanges += 1;
        return c.json(grant());
      }
      if (
        body.grant_type === 'refresh_token' &&
        typeof body.refresh_token === 'string' &&
        live.delete(body.refresh_token)
      ) {
        stats.refreshes += 1;
        await new Promise((r) => setTimeout(r, 50)); // a provider takes its time
        return c.json(grant());
      }
      stats.refused += 1;
      return c.json({ error: 'invalid_grant' }, 400);
    })
    .get('/stats', (c) => c.json(stats));
  return { app, stats };
}
