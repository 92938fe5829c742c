// Runs the example service: pnpm --filter backend start
// STORE=sqlite:./backend.db (default) or STORE=redis://127.0.0.1:6379; PORT=3000; CREDVAULT_KEYS as usual.
import { formatKeyEntry, generateKey, keyringFromEnv } from '@credvault/core';
import { redisStore } from '@credvault/redis';
import { sqliteStore } from '@credvault/sqlite';
import { startServer } from './server.js';

const spec = process.env.STORE ?? 'sqlite:./backend.db';
const store = spec.startsWith('redis')
  ? redisStore({ url: spec })
  : sqliteStore({ path: spec.replace(/^sqlite:/, '') });
process.env.CREDVAULT_KEYS ??= formatKeyEntry('demo', generateKey());
const server = await startServer({
  store,
  keyring: keyringFromEnv(),
  port: Number(process.env.PORT ?? 3000),
  log: true,
});
console.log(`listening on ${server.url}
  try: curl "${server.url}/oauth/callback?code=abc&project=p1&user=u1"
       curl -H "Authorization: Bearer <connectionToken>" ${server.url}/api/connection
       curl -X POST -H "Authorization: Bearer <connectionToken>" "${server.url}/api/connection/refresh?force=1"`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => void server.close().then(() => process.exit(0)));
