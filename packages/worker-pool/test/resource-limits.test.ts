import type { Worker as NodeWorker, ResourceLimits } from 'node:worker_threads';
import { connectionSchema, createKeyring, createVault, generateKey, memoryStore } from '@credvault/core';
import { suiteConnection } from '@credvault/test-suite';
import { describe, expect, it, vi } from 'vitest';
import { rewrapPool } from '../src/index.js';

/** The limits Node reports for each worker the pool started (read from the Worker itself). */
const started: ResourceLimits[] = [];
vi.mock('node:worker_threads', async (original) => {
  const actual = await original<typeof import('node:worker_threads')>();
  class Observed extends actual.Worker {
    constructor(...args: ConstructorParameters<typeof NodeWorker>) {
      super(...args);
      started.push({ ...this.resourceLimits });
    }
  }
  return { ...actual, Worker: Observed };
});

const oldKey = { kid: 'old', key: generateKey() };
const newKey = { kid: 'new', key: generateKey() };

async function rotateWith(pool: ReturnType<typeof rewrapPool>) {
  const store = memoryStore();
  const before = createVault({ store, keyring: createKeyring([oldKey]), schema: connectionSchema, namespace: 'c' });
  await before.setMany(Array.from({ length: 300 }, (_, i) => [`r${i}`, suiteConnection(`r${i}`)] as const));
  const vault = createVault({
    store,
    keyring: createKeyring([newKey, oldKey]),
    schema: connectionSchema,
    namespace: 'c',
  });
  try {
    return (await vault.rotate({ executor: pool, batchSize: 50 })).rewrapped;
  } finally {
    await pool.close();
  }
}

describe('rewrapPool resource limits', () => {
  it('starts each worker with a young generation of 8 MB, and it rotates', async () => {
    started.length = 0;
    expect(await rotateWith(rewrapPool({ keys: [newKey, oldKey], size: 2 }))).toBe(300);
    expect(started).toHaveLength(2);
    for (const limits of started) expect(limits.maxYoungGenerationSizeMb).toBe(8);
  });

  it('starts each worker with a young generation of 32 MB where it migrates, and it rotates', async () => {
    started.length = 0;
    const migrate = { module: new URL('./fixtures/migrate-setup.mjs', import.meta.url) };
    expect(await rotateWith(rewrapPool({ keys: [newKey, oldKey], size: 1, migrate }))).toBe(300);
    expect(started[0]?.maxYoungGenerationSizeMb).toBe(32);
  });

  it('takes the limits it is given over the default, one by one', async () => {
    started.length = 0;
    const pool = rewrapPool({
      keys: [newKey, oldKey],
      size: 1,
      resourceLimits: { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 512 },
    });
    expect(await rotateWith(pool)).toBe(300);
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 512 });
  });
});
