import type { VaultStore } from '@credvault/core';
import { redisStore } from '@credvault/redis';
import { sqliteStore } from '@credvault/sqlite';

/** `sqlite:<path>` or `redis://...`. */
export function openSpec(spec: string): VaultStore {
  return spec.startsWith('redis://')
    ? redisStore({ url: spec, timeout: 60_000 })
    : sqliteStore({ path: spec.slice('sqlite:'.length) });
}
