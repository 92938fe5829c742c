import { getHeapSpaceStatistics } from 'node:v8';
import { usePostgresServer } from '@credvault/test-suite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresStore, postgresTableStore } from '../src/index.js';

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

  it('lets the values of a table store scan die young too', async () => {
    await server.server().sql('CREATE TABLE scan_memory (id text PRIMARY KEY, auth text)');
    const store = postgresTableStore({
      url: server.url(),
      table: 'scan_memory',
      idColumn: 'id',
      envelopeColumn: 'auth',
      missingRows: 'insert',
    });
    const value = 'v'.repeat(1500);
    const count = 20_000;
    for (let i = 0; i < count; i += 5000) {
      await store.setMany(
        Array.from(
          { length: 5000 },
          (_, j) => [`default:${String(i + j).padStart(6, '0')}`, `${i + j}${value}`] as const,
        ),
      );
    }
    let seen = 0;
    for await (const [, stored] of store.entries('default:')) if (stored.length > 1500) seen += 1; // warm-up pass
    const before = oldSpace();
    seen = 0;
    for await (const [, stored] of store.entries('default:')) if (stored.length > 1500) seen += 1;
    const grown = oldSpace() - before;
    expect(seen).toBe(count);
    expect(grown).toBeLessThan(10 * 1024 * 1024);
    await store.close();
  });
});
