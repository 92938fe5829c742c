import {
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  type KeyEncryptionKeys,
  type MemoryStore,
  memoryStore,
  type RewrapExecutor,
  type RotateProgress,
  rewrapBatch,
} from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection } from './support/fixtures.js';

const oldKey = { kid: 'old', key: generateKey() };
const newKey = { kid: 'new', key: generateKey() };

/** A keyring that counts unwraps per kid. */
function counting(keys: KeyEncryptionKeys): KeyEncryptionKeys & { unwraps: Map<string, number> } {
  const unwraps = new Map<string, number>();
  return {
    get primaryKid() {
      return keys.primaryKid;
    },
    kids: keys.kids,
    unwraps,
    has: (kid) => keys.has(kid),
    wrap: (kid, dek, ctx) => keys.wrap(kid, dek, ctx),
    unwrap: (kid, wrapped, ctx) => {
      unwraps.set(kid, (unwraps.get(kid) ?? 0) + 1);
      return keys.unwrap(kid, wrapped, ctx);
    },
  };
}

async function seeded(count: number, onNew = 0) {
  const store = memoryStore();
  const before = createVault({ store, keyring: createKeyring([oldKey]), schema: connectionSchema, namespace: 'c' });
  await before.setMany(Array.from({ length: count }, (_, i) => [`r${i}`, connection({ status: `s${i}` })] as const));
  const keyring = counting(createKeyring([newKey, oldKey]));
  const vault = createVault({ store, keyring, schema: connectionSchema, namespace: 'c' });
  for (let i = 0; i < onNew; i++) await vault.set(`n${i}`, connection({ status: `n${i}` }));
  keyring.unwraps.clear();
  return { store, vault, keyring };
}

/**
 * Holds `store`'s count until a batch of heads has landed, then lets `answer` give it (the real
 * count, or a failure); counts the records written, and those written when the count answered.
 */
function countAfterFirstWrite(store: MemoryStore, answer: (count: () => Promise<number>) => Promise<number>) {
  const count = store.count.bind(store);
  const write = store.replacePrefixMany.bind(store);
  let landed = () => {};
  const firstWrite = new Promise<void>((resolve) => {
    landed = resolve;
  });
  const held = {
    moved: 0,
    movedWhenCounted: -1,
    restore() {
      store.count = count;
      store.replacePrefixMany = write;
    },
  };
  store.count = async (prefix) => {
    await firstWrite;
    held.movedWhenCounted = held.moved;
    return answer(() => count(prefix));
  };
  store.replacePrefixMany = async (entries) => {
    const written = await write(entries);
    held.moved += written.filter(Boolean).length;
    landed();
    return written;
  };
  return held;
}

function withoutEntries() {
  const { entries: _, ...rest } = memoryStore();
  return rest;
}

describe('vault.rotate', () => {
  it('moves every record to the primary kid, rewrapping only the data key', async () => {
    const { store, vault, keyring } = await seeded(50, 10);
    const sealedBefore = new Map([...store.map].map(([k, v]) => [k, v.split('.')[3]]));
    const report = await vault.rotate({ batchSize: 8 });
    expect(report).toMatchObject({
      total: 60,
      scanned: 60,
      rewrapped: 50,
      alreadyCurrent: 10,
      changedMeanwhile: 0,
      failed: [],
      aborted: false,
      dryRun: false,
      primaryKid: 'new',
      kids: { old: 50, new: 10 },
    });
    expect(keyring.unwraps.get('new') ?? 0).toBe(50); // the verification opens only: current records are never decrypted
    expect(keyring.unwraps.get('old')).toBe(50);
    for (const [key, value] of store.map) {
      expect(value.startsWith('cv1.new.')).toBe(true);
      expect(value.split('.')[3]).toBe(sealedBefore.get(key)); // sealed part untouched
    }
    expect((await vault.get('r7'))?.status).toBe('s7');
    expect(await vault.status()).toEqual({
      primaryKid: 'new',
      total: 60,
      kids: { new: 60 },
      legacy: 0,
      notOnPrimary: 0,
      vaultRecords: { indexKey: 0, tenantKeys: 0, kids: {}, notOnPrimary: 0 },
    });
    const onlyNew = createVault({ store, keyring: createKeyring([newKey]), schema: connectionSchema, namespace: 'c' });
    expect((await onlyNew.verify()).failed).toEqual([]);
  });

  it('re-seals under fresh data keys with reencrypt, current records included', async () => {
    const { store, vault } = await seeded(5, 2);
    const sealedBefore = [...store.map.values()].map((v) => v.split('.')[3]);
    const report = await vault.rotate({ reencrypt: true });
    expect(report.rewrapped).toBe(7);
    const sealedAfter = [...store.map.values()].map((v) => v.split('.')[3]);
    for (const sealed of sealedAfter) expect(sealedBefore).not.toContain(sealed);
    expect((await vault.get('n1'))?.status).toBe('n1');
  });

  it('reports a record that does not open, leaves it byte for byte, and moves the rest', async () => {
    const { store, vault } = await seeded(10);
    const broken = (store.map.get('c:r3') as string).replace('"status":"s3"', '"status":"sX"');
    store.map.set('c:r3', broken);
    store.map.set('c:junk', 'not an envelope');
    const report = await vault.rotate({ batchSize: 4 });
    expect(report.failed).toEqual([
      { id: 'junk', code: 'DECRYPT_FAILED' },
      { id: 'r3', code: 'DECRYPT_FAILED' },
    ]);
    expect(report.rewrapped).toBe(9);
    expect(store.map.get('c:r3')).toBe(broken);
    expect(store.map.get('c:junk')).toBe('not an envelope');
    expect(report.kids).toMatchObject({ old: 10, '?': 1 });
  });

  it('refuses to move a record whose sealed secrets were altered, in one thread and through rewrapBatch', async () => {
    const { store, vault } = await seeded(3);
    const parts = (store.map.get('c:r1') as string).split('.');
    const sealed = parts[3] as string;
    const at = 40; // inside the ciphertext: past the 24-byte nonce's 32 base64url characters
    parts[3] = sealed.slice(0, at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1);
    const broken = parts.join('.');
    store.map.set('c:r1', broken);
    const batch = await rewrapBatch(createKeyring([newKey, oldKey]), 'c', [['r1', broken]]);
    expect(batch).toEqual([{ code: 'DECRYPT_FAILED' }]);
    const report = await vault.rotate();
    expect(report.failed).toEqual([{ id: 'r1', code: 'DECRYPT_FAILED' }]);
    expect(report.rewrapped).toBe(2);
    expect(store.map.get('c:r1')).toBe(broken);
  });

  it('reports UNKNOWN_KEY for a record under a kid the keyring lacks', async () => {
    const store = memoryStore();
    const lost = createVault({
      store,
      keyring: createKeyring([{ kid: 'lost', key: generateKey() }]),
      schema: connectionSchema,
      namespace: 'c',
    });
    await lost.set('x', connection());
    const vault = createVault({ store, keyring: createKeyring([newKey]), schema: connectionSchema, namespace: 'c' });
    expect((await vault.rotate()).failed).toEqual([{ id: 'x', code: 'UNKNOWN_KEY' }]);
  });

  it('writes nothing on a dry run, yet counts what it would do', async () => {
    const { store, vault } = await seeded(20, 3);
    const before = new Map(store.map);
    const report = await vault.rotate({ dryRun: true, batchSize: 6 });
    expect(report).toMatchObject({ dryRun: true, rewrapped: 20, alreadyCurrent: 3 });
    expect(store.map).toEqual(before);
  });

  it('stops after the batch in hand on abort, and a second run finishes the job', async () => {
    const { store, vault } = await seeded(40);
    const controller = new AbortController();
    const seen: RotateProgress[] = [];
    const first = await vault.rotate({
      batchSize: 5,
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.rewrapped >= 10) controller.abort();
      },
    });
    expect(first.aborted).toBe(true);
    expect(first.rewrapped).toBeGreaterThanOrEqual(10);
    expect(first.rewrapped).toBeLessThan(40);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    const second = await vault.rotate({ batchSize: 5 });
    expect(second.rewrapped + second.alreadyCurrent).toBe(40);
    expect(second.rewrapped).toBe(40 - first.rewrapped);
    expect([...store.map.values()].every((v) => v.startsWith('cv1.new.'))).toBe(true);
  });

  it('counts beside the scan: records move while the count runs, and progress comes only with its total', async () => {
    const { store, vault } = await seeded(40);
    const held = countAfterFirstWrite(store, (count) => count());
    const seen: RotateProgress[] = [];
    // a rotation that waited for the count before its first write would never finish: the timeout fails it
    const report = await vault.rotate({ batchSize: 5, onProgress: (p) => seen.push(p) });
    expect(held.movedWhenCounted).toBeGreaterThanOrEqual(5);
    expect(report).toMatchObject({ total: 40, scanned: 40, rewrapped: 40 });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.every((p) => p.total === 40)).toBe(true);
  }, 2000);

  it('stops at its next record when the count fails after writes began; a second run finishes the job', async () => {
    const { store, vault } = await seeded(40);
    const held = countAfterFirstWrite(store, () => Promise.reject(new Error('count refused')));
    const seen: RotateProgress[] = [];
    await expect(vault.rotate({ batchSize: 5, onProgress: (p) => seen.push(p) })).rejects.toMatchObject({
      name: 'VaultError',
      code: 'STORE_FAILED',
    });
    const { moved } = held;
    expect(moved).toBeGreaterThanOrEqual(5);
    expect(moved).toBeLessThan(40); // it stopped, rather than rotating everything and then throwing
    expect(seen).toEqual([]); // never a progress without its total
    held.restore();
    const second = await vault.rotate({ batchSize: 5 });
    expect(second.rewrapped).toBe(40 - moved);
    expect([...store.map.values()].every((v) => v.startsWith('cv1.new.'))).toBe(true);
  });

  it('refuses a new head that is not one under the primary kid, in one thread, and writes nothing for it', async () => {
    const { store } = await seeded(3);
    store.replacePrefixMany = undefined as never; // whole envelopes by compare-and-set
    const keys = createKeyring([newKey, oldKey]);
    let dek = new Uint8Array(0);
    const emptyWrap: KeyEncryptionKeys = {
      primaryKid: 'new',
      kids: keys.kids,
      has: (kid) => keys.has(kid),
      wrap: (kid, key, context) => {
        if (kid !== 'new') return keys.wrap(kid, key, context);
        dek = key.slice();
        return new Uint8Array(0); // a keyring that wraps to nothing, yet unwraps that nothing to the key
      },
      unwrap: (kid, wrapped, context) =>
        kid === 'new' && wrapped.length === 0 ? dek.slice() : keys.unwrap(kid, wrapped, context),
    };
    const before = new Map(store.map);
    const vault = createVault({ store, keyring: emptyWrap, schema: connectionSchema, namespace: 'c' });
    const report = await vault.rotate({ batchSize: 2 });
    expect(report.rewrapped).toBe(0);
    expect(report.failed.map((f) => f.code)).toEqual(['DECRYPT_FAILED', 'DECRYPT_FAILED', 'DECRYPT_FAILED']);
    expect(store.map).toEqual(before);
  });

  it('fails when the store fails to count, as a scan that fails does, with nothing left unhandled', async () => {
    const { store, vault } = await seeded(20);
    store.count = async () => {
      throw new Error('count refused');
    };
    await expect(vault.rotate({ batchSize: 5 })).rejects.toMatchObject({ name: 'VaultError', code: 'STORE_FAILED' });
    // the scan fails while the count is still running: the scan's error, and the count's is not left unhandled
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let fail = () => {};
      store.count = () =>
        new Promise((_, reject) => {
          fail = () => reject(new Error('count refused later'));
        });
      store.entries = async function* () {
        yield* []; // an empty generator that throws at once
        throw new Error('scan refused');
      };
      await expect(vault.rotate({ batchSize: 5 })).rejects.toThrow('scan refused');
      fail();
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it.each([
    ['replacePrefixMany', false],
    ['replacePrefixMany', true],
    ['compareAndSetMany', false],
  ] as const)(
    'never overwrites a record the application wrote between the scan and the write (%s, executor: %s)',
    async (method, withExecutor) => {
      const { store, vault } = await seeded(30);
      const stale = createVault({ store, keyring: createKeyring([oldKey]), schema: connectionSchema, namespace: 'c' });
      if (method === 'compareAndSetMany') store.replacePrefixMany = undefined as never; // a store without it
      const write = store[method]?.bind(store) as NonNullable<MemoryStore[typeof method]>;
      let raced: string[] = [];
      store[method] = async (entries: readonly (readonly [string, string, string])[]) => {
        if (raced.length === 0) {
          raced = entries.slice(0, 2).map(([key]) => key.slice(2));
          await vault.set(raced[0] as string, connection({ status: 'app-write-on-new' })); // an instance already promoted
          await stale.set(raced[1] as string, connection({ status: 'app-write-on-old' })); // one still on the old primary
        }
        return write(entries);
      };
      const keyring = createKeyring([newKey, oldKey]);
      const executor: RewrapExecutor = {
        primaryKid: 'new',
        concurrency: 1,
        rewrap: (namespace, records) => rewrapBatch(keyring, namespace, records),
      };
      const report = await vault.rotate({ batchSize: 10, ...(withExecutor ? { executor } : {}) });
      expect(raced).toHaveLength(2);
      expect(report.changedMeanwhile).toBe(2);
      expect((await vault.get(raced[0] as string))?.status).toBe('app-write-on-new');
      expect((await vault.get(raced[1] as string))?.status).toBe('app-write-on-old'); // re-read, rewrapped, kept
      expect(report.rewrapped).toBe(29); // 28 plus the stale write, retried
      expect((await vault.status()).notOnPrimary).toBe(0);
    },
  );

  it('writes only the new heads where the store can replace a prefix, whole envelopes when it re-encrypts', async () => {
    const { store, vault } = await seeded(12);
    const before = new Map(store.map);
    const calls = { replacePrefixMany: 0, compareAndSetMany: 0 };
    for (const method of ['replacePrefixMany', 'compareAndSetMany'] as const) {
      const write = store[method].bind(store);
      store[method] = async (entries: readonly (readonly [string, string, string])[]) => {
        calls[method] += entries.length;
        return write(entries);
      };
    }
    expect((await vault.rotate({ batchSize: 5 })).rewrapped).toBe(12);
    expect(calls).toEqual({ replacePrefixMany: 12, compareAndSetMany: 0 });
    for (const [key, value] of store.map) {
      const old = before.get(key) as string;
      const tail = (text: string) => text.split('.').slice(3).join('.');
      expect(value.startsWith('cv1.new.')).toBe(true);
      expect(tail(value)).toBe(tail(old)); // the sealed part and readable text as they were
    }
    expect((await vault.get('r3'))?.status).toBe('s3');
    expect((await vault.rotate({ reencrypt: true, batchSize: 5 })).rewrapped).toBe(12);
    expect(calls).toEqual({ replacePrefixMany: 12, compareAndSetMany: 12 });
  });

  it('refuses a bad batch size, and a store that cannot iterate', async () => {
    const { vault } = await seeded(1);
    await expect(vault.rotate({ batchSize: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const plain = createVault({
      keyring: createKeyring([newKey]),
      schema: connectionSchema,
      store: withoutEntries(),
    });
    await expect(plain.rotate()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('gives an executor two batches per worker, but only one each while their envelopes pass a MiB', async () => {
    // 120 records of 40 KB (1.2 MB of text per batch of 30) sort before 240 small ones.
    const store = memoryStore();
    const before = createVault({ store, keyring: createKeyring([oldKey]), schema: connectionSchema, namespace: 'c' });
    await before.setMany([
      ...Array.from({ length: 120 }, (_, i) => [`a${i + 100}`, connection({ status: 'x'.repeat(40_000) })] as const),
      ...Array.from({ length: 240 }, (_, i) => [`b${i + 100}`, connection({ status: 'small' })] as const),
    ]);
    const vault = createVault({
      store,
      keyring: createKeyring([newKey, oldKey]),
      schema: connectionSchema,
      namespace: 'c',
    });
    // An executor of two "workers" that answers after a while and records how many batches it held at once.
    const keyring = createKeyring([newKey, oldKey]);
    const most = { large: 0, small: 0 };
    let held = 0;
    const executor: RewrapExecutor = {
      primaryKid: 'new',
      concurrency: 2,
      async rewrap(namespace, records) {
        held += 1;
        const kind = (records[0]?.[1].length ?? 0) > 40_000 ? 'large' : 'small';
        most[kind] = Math.max(most[kind], held);
        await new Promise((resolve) => setTimeout(resolve, 5));
        held -= 1;
        return rewrapBatch(keyring, namespace, records);
      },
    };
    expect((await vault.rotate({ executor, batchSize: 30 })).rewrapped).toBe(360);
    expect(most).toEqual({ large: 2, small: 4 }); // back to two per worker once the large ones have landed
  });

  it('writes only what an executor answers as one head under the primary kid', async () => {
    const { store, vault } = await seeded(6);
    const before = new Map(store.map);
    const keyring = createKeyring([newKey, oldKey]);
    const executor: RewrapExecutor = {
      primaryKid: 'new',
      concurrency: 1,
      async rewrap(namespace, records) {
        const heads = await rewrapBatch(keyring, namespace, records);
        return heads.map((head, i) => {
          const [id, stored] = records[i] as readonly [string, string];
          if (typeof head !== 'string') return head;
          if (id === 'r0') return `${head}${stored.slice(stored.indexOf('.', 8))}`; // a whole envelope
          if (id === 'r1') return head.replace('cv1.new.', 'cv1.old.'); // another kid
          if (id === 'r2') return 'cv1.new.'; // no wrapped key
          if (id === 'r3') return `${head}.x`; // more than a head
          return head;
        });
      },
    };
    const report = await vault.rotate({ executor });
    expect(report.failed.map((f) => [f.id, f.code]).sort()).toEqual(
      ['r0', 'r1', 'r2', 'r3'].map((id) => [id, 'DECRYPT_FAILED']),
    );
    expect(report.rewrapped).toBe(2);
    for (const id of ['r0', 'r1', 'r2', 'r3']) expect(store.map.get(`c:${id}`)).toBe(before.get(`c:${id}`));
    for (const id of ['r4', 'r5']) {
      const [now, was] = [store.map.get(`c:${id}`) as string, before.get(`c:${id}`) as string];
      expect(now.startsWith('cv1.new.')).toBe(true);
      expect(now.split('.').slice(3)).toEqual(was.split('.').slice(3)); // sealed part and readable text kept
      expect((await vault.get(id))?.status).toBe(`s${id.slice(1)}`);
    }
  });

  it('counts an executor whose concurrency is not a positive whole number as one worker', async () => {
    const { vault } = await seeded(200);
    const keyring = createKeyring([newKey, oldKey]);
    for (const concurrency of [Number.NaN, Number.POSITIVE_INFINITY, 0, -3, 1.5]) {
      let [held, most] = [0, 0];
      const executor: RewrapExecutor = {
        primaryKid: 'new',
        concurrency,
        async rewrap(namespace, records) {
          most = Math.max(most, ++held);
          await new Promise((resolve) => setTimeout(resolve, 2));
          held -= 1;
          return rewrapBatch(keyring, namespace, records);
        },
      };
      await vault.rotate({ executor, batchSize: 10, dryRun: true });
      expect(most).toBe(2);
    }
  });
});
