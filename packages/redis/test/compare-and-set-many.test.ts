import { useRedisServer } from '@credvault/test-suite';
import { createClient } from '@keyv/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStore } from '../src/index.js';

const redis = useRedisServer({ beforeAll, afterAll });

/** Runs one command on a connection of its own. */
async function command(args: string[]): Promise<string> {
  const client = await createClient({ url: redis.url() }).connect();
  try {
    return String(await client.sendCommand(args));
  } finally {
    await client.close();
  }
}

/** How many times Redis has run EVALSHA and EVAL so far (INFO commandstats). */
async function scriptCalls(): Promise<number> {
  const info = await command(['INFO', 'commandstats']);
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)) calls += Number(match[1]);
  return calls;
}

describe.skipIf(!redis.available)('redisStore compareAndSetMany', () => {
  it('runs one script call per 1,000 entries, each entry decided on its own', async () => {
    const store = redisStore({ url: redis.url() });
    const keys = Array.from({ length: 2500 }, (_, i) => `many:${i}`);
    await store.setMany(keys.map((key) => [key, `old-${key}`] as const));
    await store.set(keys[10] as string, 'changed-meanwhile'); // first chunk
    await store.delete(keys[1500] as string); // second chunk
    await store.set(keys[2499] as string, ''); // last chunk: an empty value is not an absent one
    await store.compareAndSetMany([[keys[0] as string, 'absent', 'x']]); // the script loaded (EVAL on a miss)
    const before = await scriptCalls();
    const results = await store.compareAndSetMany(keys.map((key) => [key, `old-${key}`, `new-${key}`] as const));
    expect(await scriptCalls()).toBe(before + 3);
    expect(results).toHaveLength(2500);
    expect(results.flatMap((ok, i) => (ok ? [] : [i]))).toEqual([10, 1500, 2499]);
    expect(await store.get(keys[10] as string)).toBe('changed-meanwhile');
    expect(await store.has(keys[1500] as string)).toBe(false);
    expect(await store.get(keys[2499] as string)).toBe('');
    expect(await store.getMany([keys[0], keys[1000], keys[2498]] as string[])).toEqual(
      [keys[0], keys[1000], keys[2498]].map((key) => `new-${key}`),
    );
    expect(await store.compareAndSetMany([[keys[2499] as string, '', 'was-empty']])).toEqual([true]);
    expect(await store.compareAndSetMany([[keys[1500] as string, '', 'was-absent']])).toEqual([false]);
    expect(await store.has(keys[1500] as string)).toBe(false);
    await store.close();
  });

  it('loads its script again after SCRIPT FLUSH (a restart or failover), writing each entry once', async () => {
    const store = redisStore({ url: redis.url() });
    const keys = Array.from({ length: 1200 }, (_, i) => `flushed:${i}`);
    await store.setMany(keys.map((key) => [key, 'old'] as const));
    await command(['SCRIPT', 'FLUSH']);
    expect(await store.compareAndSetMany(keys.map((key) => [key, 'old', 'new'] as const))).toEqual(
      keys.map(() => true),
    );
    expect(new Set(await store.getMany(keys))).toEqual(new Set(['new']));
    expect(await store.compareAndSetMany(keys.map((key) => [key, 'old', 'newer'] as const))).toEqual(
      keys.map(() => false),
    );
    await store.close();
  });
});
