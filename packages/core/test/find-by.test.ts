import { connectionSchema, createKeyring, createVault, generateKey, memoryStore } from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection } from './support/fixtures.js';

import { memoryVault } from './support/vault.js';

const k1 = { kid: 'k1', key: generateKey() };
const k2 = { kid: 'k2', key: generateKey() };

function indexed(store = memoryStore(), keys = [k1]) {
  return {
    store,
    vault: createVault({
      store,
      keyring: createKeyring(keys),
      schema: connectionSchema,
      namespace: 'c',
      index: ['connectionToken'],
    }),
  };
}

describe('vault.findBy through the blind index', () => {
  it('finds the record whose connection token matches, and nothing for another token', async () => {
    const { vault } = indexed();
    await vault.set('a', connection({ idConnection: 'a', connectionToken: 'token-a-7f31' }));
    await vault.set('b', connection({ idConnection: 'b', connectionToken: 'token-b-19c4' }));
    expect((await vault.findBy('connectionToken', 'token-b-19c4'))?.id).toBe('b');
    expect((await vault.findBy('connectionToken', 'token-a-7f31'))?.record.idConnection).toBe('a');
    expect(await vault.findBy('connectionToken', 'token-c')).toBeUndefined();
    expect(await vault.findBy('connectionToken', '')).toBeUndefined();
  });

  it('finds nothing after delete or a token change, and drops the stale entries', async () => {
    const { vault, store } = indexed();
    await vault.set('a', connection({ connectionToken: 'old-token-1' }));
    await vault.set('a', connection({ connectionToken: 'new-token-2' }));
    expect(await vault.findBy('connectionToken', 'old-token-1')).toBeUndefined();
    expect((await vault.findBy('connectionToken', 'new-token-2'))?.id).toBe('a');
    await vault.update('a', (c) => c && { ...c, connectionToken: 'newer-token-3' });
    expect(await vault.findBy('connectionToken', 'new-token-2')).toBeUndefined();
    expect((await vault.findBy('connectionToken', 'newer-token-3'))?.id).toBe('a');
    expect([...store.map.keys()].filter((k) => k.startsWith('~ix:'))).toHaveLength(1);
    await vault.delete('a');
    expect(await vault.findBy('connectionToken', 'newer-token-3')).toBeUndefined();
    expect([...store.map.keys()].filter((k) => k.startsWith('~ix:'))).toHaveLength(0);
  });

  it('keeps no index entry for an empty token, which findBy never looks up', async () => {
    const { vault, store } = indexed();
    await vault.set('a', connection({ connectionToken: '' }));
    expect([...store.map.keys()].filter((k) => k.startsWith('~ix:'))).toHaveLength(0);
    expect(await vault.findBy('connectionToken', '')).toBeUndefined();
    await vault.set('a', connection({ connectionToken: 'now-set-5d1e' }));
    expect((await vault.findBy('connectionToken', 'now-set-5d1e'))?.id).toBe('a');
    expect([...store.map.keys()].filter((k) => k.startsWith('~ix:'))).toHaveLength(1);
  });

  it('never stores the token, nor the index key, in clear', async () => {
    const { vault, store } = indexed();
    const tokens = Array.from({ length: 20 }, (_, i) => `ct-secret-${i}-a8e2f0`);
    for (const [i, t] of tokens.entries()) await vault.set(`r${i}`, connection({ connectionToken: t }));
    const everything = [...store.map].flat().join('\n');
    for (const t of tokens) expect(everything).not.toContain(t);
    expect(store.map.get('c:~index-key')?.startsWith('cv1.k1.')).toBe(true);
    expect([...store.map.keys()].filter((k) => k.startsWith('~ix:c:connectionToken:'))).toHaveLength(20);
  });

  it('keeps working across a key rotation and the old key’s retirement', async () => {
    const { vault, store } = indexed();
    await vault.set('a', connection({ connectionToken: 'rotating-token' }));
    const promoted = indexed(store, [k2, k1]).vault;
    const report = await promoted.rotate();
    expect(report.rewrapped).toBe(2); // the record and the index key
    const retired = indexed(store, [k2]).vault;
    expect((await retired.findBy('connectionToken', 'rotating-token'))?.id).toBe('a');
    expect((await retired.status()).notOnPrimary).toBe(0);
    expect((await retired.verify()).failed).toEqual([]);
    const ids: string[] = [];
    for await (const [id] of retired.entries()) ids.push(id);
    expect(ids).toEqual(['a']); // the index key is not a record
  });

  it('ignores an index entry that points at the wrong record', async () => {
    const { vault, store } = indexed();
    await vault.set('a', connection({ connectionToken: 'token-a' }));
    await vault.set('b', connection({ connectionToken: 'token-b' }));
    const entryA = [...store.map].find(([k, v]) => k.startsWith('~ix:') && v === 'a')?.[0] as string;
    store.map.set(entryA, 'b'); // an attacker repoints token-a at record b
    expect(await vault.findBy('connectionToken', 'token-a')).toBeUndefined();
  });

  it('refuses a field that is not indexed, and an index on a readable field', async () => {
    const { vault } = memoryVault();
    await expect(vault.findBy('connectionToken', 'x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() =>
      createVault({
        keyring: createKeyring([k1]),
        schema: connectionSchema,
        index: ['idProject' as 'connectionToken'],
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'index' }));
  });

  it('refuses ids starting with ~, which are the vault’s own', async () => {
    const { vault } = indexed();
    await expect(vault.set('~index-key', connection())).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
