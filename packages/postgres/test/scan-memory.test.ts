import { getHeapSpaceStatistics } from 'node:v8';
import { usePostgresServer } from '@credvault/test-suite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
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

  it('hands pg copies of its parameters and empties them once the query has settled', async () => {
    // pg keeps a finished query reachable from its own long-lived objects until V8's next full
    // collection, and with it the values it was given: rotating 100,000 records, every batch's heads
    // were promoted to the old space with them (the main thread's heap peaked at 70-79 MB; emptied,
    // 43 MB). So what pg is handed must hold nothing once the call returns.
    const pool = new pg.Pool({ connectionString: server.url(), max: 2 }).on('error', () => {});
    onTestFinished(() => pool.end());
    const handed: unknown[][] = [];
    const arrays: unknown[][] = []; // the arrays among them, as they were handed
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (config: pg.QueryConfig) => Promise<unknown>;
      (client as { query: unknown }).query = (config: pg.QueryConfig) => {
        if (config.values !== undefined) handed.push(config.values);
        for (const value of config.values ?? []) if (Array.isArray(value)) arrays.push(value);
        return query(config);
      };
    });
    const store = postgresStore({ pool });
    const batch = Array.from({ length: 300 }, (_, i) => [`hand:${i}`, `value ${i}`] as const);
    await store.setMany(batch);
    const swaps = batch.map(([key, value]) => [key, value, `${value}, changed`] as const);
    expect(await store.compareAndSetMany(swaps)).toEqual(swaps.map(() => true));
    expect(await store.getMany(batch.map(([key]) => key))).toEqual(swaps.map(([, , next]) => next));

    expect(handed).toHaveLength(3); // setMany, compareAndSetMany, getMany
    expect(arrays).toHaveLength(6); // setMany 2 columns, compareAndSetMany 3, getMany 1
    for (const values of [...handed, ...arrays]) expect(values).toEqual([]); // emptied once each query settled
    // The caller's arrays are its own: pg got copies.
    expect(swaps[0]).toEqual(['hand:0', 'value 0', 'value 0, changed']);
    expect(swaps).toHaveLength(300);
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
