import type { VaultStore } from '@credvault/core';
import { postgresStore } from '@credvault/postgres';
import { redisStore } from '@credvault/redis';
import { sqliteStore } from '@credvault/sqlite';

/** Opens `sqlite:<path>`, `redis://...`, `redis+cluster://...` or `postgres://...` (test helper; the CLI has its own, user-facing one). */
export function storeFromSpec(spec: string): VaultStore {
  if (spec.startsWith('sqlite:')) return sqliteStore({ path: spec.slice('sqlite:'.length), busyTimeout: 30_000 });
  if (spec.startsWith('redis://') || spec.startsWith('redis+cluster://'))
    return redisStore({ url: spec, timeout: 30_000 });
  if (spec.startsWith('postgres://')) return postgresStore({ url: spec }, { timeout: 30_000 });
  throw new Error(`unknown store spec ${spec}`);
}
