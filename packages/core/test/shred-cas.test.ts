import {
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  memoryStore,
  type VaultStore,
} from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection } from './support/fixtures.js';

const keyring = createKeyring([{ kid: 'k1', key: generateKey() }]);
const tenantVault = (store: VaultStore) =>
  createVault({ store, keyring, schema: connectionSchema, namespace: 't', tenant: 'idProject' });
const rec = (id: string, project: string) =>
  connection({ idConnection: id, idProject: project, accessToken: `AT-${id}` });

describe('shred deletes with compare-and-set against the value scanned', () => {
  it('leaves a record rewritten for another tenant between the scan and the delete', async () => {
    const inner = memoryStore();
    const other = tenantVault(inner);
    let rewrite: (() => Promise<void>) | undefined = () => other.set('a', rec('a', 'p2'));
    const store: VaultStore = {
      ...inner,
      name: 'rewriting',
      async *entries(prefix) {
        for await (const [key, value] of inner.entries(prefix)) {
          if (key === 't:a' && rewrite !== undefined) {
            const write = rewrite;
            rewrite = undefined;
            await write(); // the application moves the record to p2 while the shred scans
          }
          yield [key, value];
        }
      },
    };
    const vault = tenantVault(store);
    await vault.set('a', rec('a', 'p1'));
    await vault.set('b', rec('b', 'p1'));
    await vault.set('c', rec('c', 'p2'));
    expect(await vault.shred('p1')).toMatchObject({ tenant: 'p1', keyDestroyed: true, deleted: 1 });
    expect(await vault.get('a')).toMatchObject({ idProject: 'p2', accessToken: 'AT-a' });
    expect(await vault.has('b')).toBe(false);
    expect(await vault.get('c')).toMatchObject({ idProject: 'p2' });
  });

  it('still deletes a record the tenant rewrote during the scan', async () => {
    const inner = memoryStore();
    const other = tenantVault(inner);
    let rewrite: (() => Promise<void>) | undefined = () => other.set('a', { ...rec('a', 'p1'), accessToken: 'AT-a-2' });
    const store: VaultStore = {
      ...inner,
      name: 'rewriting',
      async *entries(prefix) {
        for await (const [key, value] of inner.entries(prefix)) {
          yield [key, value];
          if (key === 't:a' && rewrite !== undefined) {
            const write = rewrite;
            rewrite = undefined;
            await write();
          }
        }
      },
    };
    const vault = tenantVault(store);
    await vault.set('a', rec('a', 'p1'));
    expect(await vault.shred('p1')).toMatchObject({ deleted: 1 });
    expect(await inner.has('t:a')).toBe(false);
  });
});
