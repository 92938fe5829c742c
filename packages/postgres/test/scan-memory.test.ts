import { getHeapSpaceStatistics } from 'node:v8';
import { usePostgresServer } from '@credvault/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresStore } from '../src/index.js';

const server = usePostgresServer({ beforeAll, afterAll });

/** Bytes used in V8's old space of this thread. */
const oldSpace = () => getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')?.space_used_size ?? 0;

describe.skipIf(!server.available)('postgresStore scan memory', () => {
  it('lets the values of a scan die young: 30 MB of rows read and dropped leave the old space < 10 MB larger', async () => {
    const store = postgresStore({ url: server.url() });
    const value = 'v'.repeat(1500);
    const count = 20_000;
    await store.setMany(Array.from({ length: count }, (_, i) => [`mem:${String(i).padStart(6, '0')}`, `${i}${value}`]));
    let seen = 0;
    for await (const [, stored] of store.entries('mem:')) if (stored.length > 1500) seen += 1; // warm-up pass
    const before = oldSpace();
    seen = 0;
    for await (const [, stored] of store.entries('mem:')) if (stored.length > 1500) seen += 1;
    const grown = oldSpace() - before;
    expect(seen).toBe(count);
    // Before pg's rows were emptied, every value was promoted to the old space (about 30 MB here).
    expect(grown).toBeLessThan(10 * 1024 * 1024);
    await store.close();
  });
});
