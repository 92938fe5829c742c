import { checkDistinctKeys } from '@credvault/core';
import KeyvRedis, { createClient, type RedisClientOptions } from '@keyv/redis';
import { safeWhere } from './cluster-url.js';
import { replicaWaiter } from './durability.js';
import { takeLease } from './lease.js';
import type { RedisStore, RedisStoreOptions } from './options.js';
import {
  COMPARE_AND_SET,
  COMPARE_AND_SET_MANY,
  casArguments,
  globEscape,
  REPLACE_PREFIX_MANY,
  type Script,
} from './scripts.js';
import { SeenKeys } from './seen-keys.js';
import { withinDeadline } from './store-failure.js';

type Client = ReturnType<typeof createClient>;
const CHUNK = 1000;

/**
 * The single-node flavour of {@link redisStore}: one connection, batches pipelined (`MGET`,
 * `MSET` in one `MULTI`), SCAN iteration. Commands are never queued while the connection is
 * down and every operation has a timeout; the client reconnects by itself.
 */
export function singleStore(options: RedisStoreOptions): RedisStore {
  const { url = 'redis://127.0.0.1:6379', timeout = 5000, scanCount = 500 } = options;
  const where = safeWhere(url); // never print credentials
  const waiter = replicaWaiter(options, where);
  const replicated = (redis: Client) => waiter(async () => [redis]);
  const client: Client = createClient({
    ...options.client,
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: timeout,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000),
      ...options.client?.socket,
    },
  } as RedisClientOptions) as Client;
  client.on('error', () => {}); // failures reach callers as rejected operations
  const adapter = new KeyvRedis<string>(client, {
    throwOnConnectError: true,
    throwOnErrors: true,
    connectionTimeout: timeout,
  });
  adapter.on('error', () => {});
  let closed = false;
  let connecting: Promise<unknown> | undefined;

  /** The connected client: connects once (shared by concurrent callers), fails fast while reconnecting. */
  async function connected(): Promise<Client> {
    if (client.isReady) return client;
    if (client.isOpen && connecting === undefined) throw new Error('the connection is down (reconnecting)');
    connecting ??= client.connect().finally(() => {
      connecting = undefined;
    });
    await connecting;
    return client;
  }

  /** Runs `work` on the connected client within `timeout`; on a ready connection it starts at once. */
  function run<T>(operation: string, work: (redis: Client) => Promise<T>): Promise<T> {
    let unready = closed || !client.isReady;
    const start = () => {
      if (closed) return Promise.reject(new Error('the store is closed'));
      return unready
        ? connected().then((redis) => {
            unready = false;
            return work(redis);
          })
        : work(client);
    };
    return withinDeadline(timeout, start, (reason) =>
      unready ? `cannot reach Redis at ${where} (${reason})` : `redis ${operation} on ${where} failed: ${reason}`,
    );
  }

  async function evalScript(redis: Client, s: Script, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await redis.evalSha(s.sha, { keys, arguments: args });
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      return redis.eval(s.source, { keys, arguments: args });
    }
  }

  /**
   * Runs `s` over `entries` (distinct keys) in one script call per chunk, pipelined: Redis parses,
   * looks up and runs one command instead of one per entry, and node-redis encodes one. The
   * script takes each entry's two values as its arguments and answers 1 or 0 per key.
   */
  async function batchScript(
    operation: string,
    s: Script,
    entries: readonly (readonly [string, string, string])[],
  ): Promise<boolean[]> {
    checkDistinctKeys(entries, operation);
    if (entries.length === 0) return [];
    return run(operation, async (redis) => {
      const chunks: (readonly (readonly [string, string, string])[])[] = [];
      for (let i = 0; i < entries.length; i += CHUNK) chunks.push(entries.slice(i, i + CHUNK));
      const replies = await Promise.all(
        chunks.map(async (chunk) => {
          const keys = chunk.map(([key]) => key);
          const reply = await evalScript(
            redis,
            s,
            keys,
            chunk.flatMap(([, a, b]) => [a, b]),
          );
          if (!Array.isArray(reply) || reply.length !== chunk.length) throw new Error('unexpected script reply');
          return reply.map((one) => one === 1);
        }),
      );
      const written = replies.flat();
      if (written.includes(true)) await replicated(redis);
      return written;
    });
  }

  const store: RedisStore = {
    name: 'redis',
    adapter,
    get: (key) => run('get', async (redis) => (await redis.get(key)) ?? undefined),
    set: (key, value) =>
      run('set', async (redis) => {
        await redis.set(key, value);
        await replicated(redis);
      }),
    delete: (key) =>
      run('delete', async (redis) => {
        const deleted = (await redis.del(key)) > 0;
        if (deleted) await replicated(redis);
        return deleted;
      }),
    has: (key) => run('has', async (redis) => (await redis.exists(key)) > 0),
    compareAndSet: (key, expected, next) =>
      run('compareAndSet', async (redis) => {
        const written = (await evalScript(redis, COMPARE_AND_SET, [key], casArguments(expected, next))) === 1;
        if (written) await replicated(redis);
        return written;
      }),
    compareAndSetMany: (entries) => batchScript('compareAndSetMany', COMPARE_AND_SET_MANY, entries),
    replacePrefixMany: (entries) => batchScript('replacePrefixMany', REPLACE_PREFIX_MANY, entries),
    count: (prefix) =>
      run('count', async (redis) => {
        let n = 0; // no dedupe: an estimate for progress, so counting 10M keys needs no memory per key
        for await (const keys of redis.scanIterator({ MATCH: `${globEscape(prefix)}*`, COUNT: scanCount }))
          n += keys.length;
        return n;
      }),
    getMany: (keys) =>
      run('getMany', async (redis) => {
        const out: (string | undefined)[] = [];
        for (let i = 0; i < keys.length; i += CHUNK) {
          for (const value of await redis.mGet(keys.slice(i, i + CHUNK))) out.push(value ?? undefined);
        }
        return out;
      }),
    setMany: (entries) =>
      run('setMany', async (redis) => {
        if (entries.length === 0) return;
        const multi = redis.multi();
        for (let i = 0; i < entries.length; i += CHUNK) multi.mSet(entries.slice(i, i + CHUNK) as [string, string][]);
        await multi.exec();
        await replicated(redis);
      }),
    async *entries(prefix) {
      const seen = new SeenKeys(prefix); // SCAN may return a key twice; yield it once
      const scan = await run('iterate', async (redis) =>
        redis.scanIterator({ MATCH: `${globEscape(prefix)}*`, COUNT: scanCount }),
      );
      /** The next SCAN step with its values, or undefined at the end. */
      const step = async (): Promise<[string[], (string | undefined)[]] | undefined> => {
        const next = await run('iterate', () => scan.next());
        if (next.done === true) return undefined;
        const keys = (next.value as string[]).filter((key) => seen.add(key)); // adds as it filters
        return [keys, keys.length === 0 ? [] : await store.getMany(keys)];
      };
      let pending = step();
      while (true) {
        const current = await pending;
        if (current === undefined) return;
        pending = step(); // fetch ahead while the caller works on this step
        pending.catch(() => {});
        const [keys, values] = current;
        for (const [i, key] of keys.entries()) {
          const value = values[i];
          if (value !== undefined) yield [key, value] as const; // deleted since the scan saw it: skip
        }
      }
    },
    lease: (name, ttlMs) =>
      takeLease<Client>(
        {
          run,
          setIfAbsent: async (redis, name, token, ms) =>
            (await redis.set(name, token, { condition: 'NX', expiration: { type: 'PX', value: ms } })) === 'OK',
          evalScript: (redis, s, key, args) => evalScript(redis, s, [key], args),
          replicated: (redis) => replicated(redis),
        },
        name,
        ttlMs,
      ),
    async close() {
      if (closed) return;
      closed = true;
      if (!client.isOpen) return;
      try {
        await client.close();
      } catch {
        client.destroy();
      }
    },
  };
  return store;
}
