import { isVaultError } from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection } from './support/fixtures.js';
import { memoryVault } from './support/vault.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('vault.entries', () => {
  async function seeded() {
    const setup = memoryVault();
    for (let i = 0; i < 30; i++) {
      await setup.vault.set(
        `c${i}`,
        connection({ idProject: `p${i % 3}`, status: i % 2 ? 'active' : 'paused', idConnection: `c${i}` }),
      );
    }
    return setup;
  }

  it('yields every record of the namespace once, opened', async () => {
    const { vault } = await seeded();
    const all = await collect(vault.entries());
    expect(all.map(([id]) => id).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `c${i}`).sort());
    for (const [id, record] of all) expect(record.idConnection).toBe(id);
    expect(all[0]?.[1].accessToken).toBe(connection().accessToken);
  });

  it('filters on readable fields, several at once, and on dates', async () => {
    const { vault } = await seeded();
    const p1 = await collect(vault.entries({ where: { idProject: 'p1' } }));
    expect(p1).toHaveLength(10);
    expect(p1.every(([, r]) => r.idProject === 'p1')).toBe(true);
    const both = await collect(vault.entries({ where: { idProject: 'p1', status: 'active' } }));
    expect(both.map(([id]) => id).sort()).toEqual(['c1', 'c13', 'c19', 'c25', 'c7']);
    const date = new Date('2024-10-01T12:00:00Z');
    expect(await collect(vault.entries({ where: { expirationTimestamp: date } }))).toHaveLength(30);
    expect(await collect(vault.entries({ where: { expirationTimestamp: new Date(0) } }))).toHaveLength(0);
  });

  it('keeps namespaces apart in one store', async () => {
    const { vault, keyv, keyring } = await seeded();
    const { createVault, keyvStore } = await import('@credvault/core');
    const other = createVault({ store: keyvStore(keyv), keyring, schema: vault.schema, namespace: 'other' });
    await other.set('c0', connection({ status: 'other-ns' }));
    expect(await collect(other.entries())).toHaveLength(1);
    expect(await collect(vault.entries())).toHaveLength(30);
    expect((await vault.get('c0'))?.status).toBe('paused');
  });

  it('refuses a filter on a secret or unknown field', async () => {
    const { vault } = await seeded();
    for (const where of [{ accessToken: 'x' }, { nope: 1 }]) {
      await expect(collect(vault.entries({ where } as never))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });

  it('ends with DECRYPT_FAILED at a tampered record instead of skipping it', async () => {
    const { vault, keyv, raw } = await seeded();
    await keyv.set('test:c4', (await raw('c4')).replace('"idProject":"p1"', '"idProject":"p2"'));
    const error = await collect(vault.entries({ where: { idProject: 'p2' } })).catch((e: unknown) => e);
    expect(isVaultError(error, 'DECRYPT_FAILED')).toBe(true);
    expect((error as { id: string }).id).toBe('c4');
  });
});
