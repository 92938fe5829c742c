import {
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  keyvStore,
  type MemoryStore,
  memoryStore,
  type VaultStore,
} from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection } from './support/fixtures.js';

const keyring = createKeyring([{ kid: 'k1', key: generateKey() }]);
const INDEX_KEY = 'c:~index-key';

/** A memory store whose reads of the index key go through `onIndexKeyGet` first. */
function watched(inner: MemoryStore, onIndexKeyGet: () => Promise<void>): VaultStore {
  return {
    ...inner,
    name: 'watched',
    get: async (key) => {
      if (key === INDEX_KEY) await onIndexKeyGet();
      return inner.get(key);
    },
  };
}

const indexed = (store: VaultStore) =>
  createVault({ store, keyring, schema: connectionSchema, namespace: 'c', index: ['connectionToken'] });
const entries = (store: MemoryStore) => [...store.map].filter(([k]) => String(k).startsWith('~ix:'));

describe('the blind-index key load', () => {
  it('does not keep a failed load: after one transient store failure the next write and lookup work', async () => {
    const inner = memoryStore();
    let failures = 1;
    const vault = indexed(
      watched(inner, async () => {
        if (failures-- > 0) throw new Error('connection reset');
      }),
    );
    await expect(vault.set('a', connection({ connectionToken: 'tok-a' }))).rejects.toMatchObject({
      code: 'STORE_FAILED',
    });
    await vault.set('a', connection({ connectionToken: 'tok-a' }));
    expect((await vault.findBy('connectionToken', 'tok-a'))?.id).toBe('a');
    await vault.update('a', (c) => c && { ...c, connectionToken: 'tok-b' });
    expect((await vault.findBy('connectionToken', 'tok-b'))?.id).toBe('a');
    expect(await vault.delete('a')).toBe(true);
  });

  it('never writes an entry under an undefined key when a findBy races the first write', async () => {
    const inner = memoryStore();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let first = true;
    const vault = indexed(
      watched(inner, async () => {
        if (first) {
          first = false;
          await gate; // the findBy's load, held until the write asks for the key
        }
      }),
    );
    const lookup = vault.findBy('connectionToken', 'tok-race');
    const write = vault.set('a', connection({ connectionToken: 'tok-race' }));
    await new Promise((r) => setTimeout(r, 20));
    release();
    await Promise.all([lookup, write]);
    expect(inner.map.has('undefined' as string) || inner.map.has(undefined as unknown as string)).toBe(false);
    expect(entries(inner).map(([k]) => k.startsWith('~ix:c:connectionToken:'))).toEqual([true]);
    expect((await vault.findBy('connectionToken', 'tok-race'))?.id).toBe('a');
  });

  it('repairs a missing entry when the record is written again', async () => {
    const inner = memoryStore();
    const vault = indexed(inner);
    await vault.set('a', connection({ connectionToken: 'tok-a' }));
    for (const [k] of entries(inner)) inner.map.delete(k);
    expect(await vault.findBy('connectionToken', 'tok-a')).toBeUndefined();
    await vault.set('a', connection({ connectionToken: 'tok-a' }));
    expect((await vault.findBy('connectionToken', 'tok-a'))?.id).toBe('a');
  });

  it('refuses an index over a store without compare-and-set (UNSUPPORTED)', () => {
    expect(() => indexed(keyvStore())).toThrow(expect.objectContaining({ code: 'UNSUPPORTED', path: 'index' }));
  });
});

describe('which values get a blind-index entry (FORMAT.md)', () => {
  it('writes none for the empty string, and findBy of it finds nothing', async () => {
    const inner = memoryStore();
    const vault = indexed(inner);
    await vault.set('a', connection({ connectionToken: '' }));
    expect(entries(inner)).toEqual([]);
    expect(await vault.findBy('connectionToken', '')).toBeUndefined();
  });

  it('writes none for a value with a lone surrogate, so it never takes the entry of the value with U+FFFD in its place', async () => {
    const inner = memoryStore();
    const vault = indexed(inner);
    await vault.set('x', connection({ connectionToken: 'tok-\uFFFD' }));
    await vault.set('y', connection({ connectionToken: 'tok-\uD800' }));
    expect(await vault.get('y')).toMatchObject({ connectionToken: 'tok-\uD800' });
    expect(entries(inner).map(([, id]) => id)).toEqual(['x']);
    expect((await vault.findBy('connectionToken', 'tok-\uFFFD'))?.id).toBe('x');
    expect(await vault.findBy('connectionToken', 'tok-\uD800')).toBeUndefined();
  });
});
