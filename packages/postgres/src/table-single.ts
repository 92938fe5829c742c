/** The single-key operations of a table store: a record row, an index entry, or the key store. Internal. */
import { VaultError, type VaultStore } from '@credvault/core';
import { keyStoreOf } from './table-key-store.js';
import { route } from './table-keys.js';
import {
  type Compiled,
  compareAndSetEntry,
  compareAndSetRow,
  readRows,
  type TableContext,
  writeOne,
} from './table-rows.js';

/** The single-key methods of a {@link VaultStore}. */
export type SingleOps = Required<Pick<VaultStore, 'get' | 'set' | 'delete' | 'has' | 'compareAndSet'>>;

const indexOf = (c: Compiled, field: string) => c.index.get(field) as NonNullable<ReturnType<typeof c.index.get>>;

/** `get`, `set`, `delete`, `has` and `compareAndSet`, each routed by its key. */
export function singleOps(ctx: TableContext): SingleOps {
  const { layout, keyStore, run } = ctx;
  return {
    async get(key: string): Promise<string | undefined> {
      const r = route(layout, key);
      if (r.kind === 'other') return keyStoreOf(keyStore).get(key);
      return run('get', async (q, c) => {
        if (r.kind === 'row')
          return ((await readRows(() => q(c.row.get, [r.id]))) as { v: string | null }[])[0]?.v ?? undefined;
        return ((await q(indexOf(c, r.field).lookup, [r.mac])) as { id: string }[])[0]?.id;
      });
    },
    async set(key: string, value: string): Promise<void> {
      const r = route(layout, key);
      if (r.kind === 'other') return keyStoreOf(keyStore).set(key, value);
      return run('set', (q, c) =>
        r.kind === 'row' ? writeOne(q, c, c.row, r.id, value) : writeOne(q, c, indexOf(c, r.field), value, r.mac),
      );
    },
    async delete(key: string): Promise<boolean> {
      const r = route(layout, key);
      if (r.kind === 'other') return keyStoreOf(keyStore).delete(key);
      return run('delete', async (q, c) =>
        r.kind === 'row'
          ? (await readRows(() => q(c.row.delete, [r.id]))).length > 0
          : (await q(indexOf(c, r.field).clear, [r.mac])).length > 0,
      );
    },
    async has(key: string): Promise<boolean> {
      const r = route(layout, key);
      if (r.kind === 'other') return keyStoreOf(keyStore).has(key);
      return run('has', async (q, c) =>
        r.kind === 'row'
          ? (await readRows(() => q(c.row.has, [r.id]))).length > 0
          : (await q(indexOf(c, r.field).has, [r.mac])).length > 0,
      );
    },
    async compareAndSet(key: string, expected: string | undefined, next: string | undefined): Promise<boolean> {
      const r = route(layout, key);
      if (r.kind === 'other') {
        const store = keyStoreOf(keyStore);
        if (store.compareAndSet === undefined) {
          throw new VaultError('UNSUPPORTED', `the keyStore (${store.name}) has no compareAndSet`, {
            path: 'keyStore',
          });
        }
        return store.compareAndSet(key, expected, next);
      }
      return run('compareAndSet', (q, c) =>
        r.kind === 'row'
          ? compareAndSetRow(q, c, r.id, expected, next)
          : compareAndSetEntry(q, indexOf(c, r.field), r.mac, expected, next),
      );
    },
  };
}
