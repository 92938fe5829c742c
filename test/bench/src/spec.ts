import type { VaultStore } from '@credvault/core';
import { postgresStore } from '@credvault/postgres';
import { redisStore } from '@credvault/redis';
import { sqliteStore } from '@credvault/sqlite';

/** `sqlite:<path>`, `redis://...` or `postgres://...`. */
export function openSpec(spec: string): VaultStore {
  if (spec.startsWith('postgres://')) return postgresStore({ url: spec }, { timeout: 60_000 });
  return spec.startsWith('redis://')
    ? redisStore({ url: spec, timeout: 60_000 })
    : sqliteStore({ path: spec.slice('sqlite:'.length) });
}
