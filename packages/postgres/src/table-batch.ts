/** The batch operations of a table store: one statement per chunk of rows, the rest routed. Internal. */
import { checkDistinctKeys, VaultError, type VaultStore } from '@credvault/core';
import { compareAndSetManyOf, getManyOf, keyStoreOf, replacePrefixManyOf, setManyOf } from './table-key-store.js';
import { type Route, route } from './table-keys.js';
import { getRows, setRows, type TableContext, updateRows } from './table-rows.js';
import type { SingleOps } from './table-single.js';

/** The batch methods of a {@link VaultStore}. */
export type BatchOps = Required<Pick<VaultStore, 'getMany' | 'setMany' | 'compareAndSetMany' | 'replacePrefixMany'>>;

/**
 * `getMany`, `setMany`, `compareAndSetMany` and `replacePrefixMany`: the records of a batch in
 * one statement per chunk, its index entries one by one (`single`), its other keys in one call
 * of the key store.
 */
export function batchOps(ctx: TableContext, single: SingleOps): BatchOps {
  const { layout, keyStore, run } = ctx;
  /** The entries of a batch by where they live, with their positions. */
  const split = <E extends readonly [string, ...unknown[]]>(entries: readonly E[]) => {
    const rows: [number, string, E][] = [];
    const rest: [number, E][] = [];
    const others: [number, E][] = [];
    entries.forEach((entry, i) => {
      const r: Route = route(layout, entry[0]);
      if (r.kind === 'row') rows.push([i, r.id, entry]);
      else if (r.kind === 'index') rest.push([i, entry]);
      else others.push([i, entry]);
    });
    return { rows, rest, others };
  };
  /** Runs a batch: rows by `onRows` (ids), index entries one by one, the key store's by `onOthers`; results in order. */
  const batch = async <E extends readonly [string, ...unknown[]], R>(
    entries: readonly E[],
    onRows: (rows: readonly [number, string, E][]) => Promise<R[]>,
    onOne: (entry: E) => Promise<R>,
    onOthers: (store: VaultStore, others: readonly E[]) => Promise<R[]>,
  ): Promise<R[]> => {
    const { rows, rest, others } = split(entries);
    const out = new Array<R>(entries.length);
    const fromRows = rows.length === 0 ? [] : await onRows(rows);
    rows.forEach(([i], j) => {
      out[i] = fromRows[j] as R;
    });
    for (const [i, entry] of rest) out[i] = await onOne(entry);
    if (others.length > 0) {
      const fromOthers = await onOthers(
        keyStoreOf(keyStore),
        others.map(([, e]) => e),
      );
      others.forEach(([i], j) => {
        out[i] = fromOthers[j] as R;
      });
    }
    return out;
  };

  async function updateMany(
    operation: 'compareAndSetMany' | 'replacePrefixMany',
    entries: readonly (readonly [string, string, string])[],
  ): Promise<boolean[]> {
    checkDistinctKeys(entries, operation);
    return batch(
      entries,
      (rows) =>
        run(operation, async (q, c) => {
          const text = operation === 'compareAndSetMany' ? c.row.compareAndSetMany : c.row.replacePrefixMany;
          const written = await updateRows(
            q,
            c,
            text,
            rows.map(([, id, [, a, b]]) => [id, a, b] as const),
          );
          return rows.map(([, id]) => written.has(id));
        }),
      ([key, expected, next]) => {
        if (operation === 'compareAndSetMany') return single.compareAndSet(key, expected, next);
        throw new VaultError('UNSUPPORTED', 'replacePrefixMany does not apply to blind-index entries', {
          path: 'entries',
        });
      },
      (s, others) =>
        operation === 'compareAndSetMany' ? compareAndSetManyOf(s, others) : replacePrefixManyOf(s, others),
    );
  }
  return {
    getMany: (keys) =>
      batch(
        keys.map((key) => [key] as const),
        (rows) =>
          run('getMany', async (q, c) => {
            const found = await getRows(
              q,
              c,
              rows.map(([, id]) => id),
            );
            return rows.map(([, id]) => found.get(id));
          }),
        ([key]) => single.get(key),
        (s, others) =>
          getManyOf(
            s,
            others.map(([key]) => key),
          ),
      ),
    async setMany(entries) {
      const last = [...new Map(entries).entries()]; // one row per key: the last value wins
      await batch(
        last,
        (rows) =>
          run('setMany', async (q, c) => {
            await setRows(
              q,
              c,
              rows.map(([, id, [, value]]) => [id, value] as const),
            );
            return [];
          }),
        ([key, value]) => single.set(key, value),
        async (s, others) => {
          await setManyOf(s, others);
          return [];
        },
      );
    },
    compareAndSetMany: (entries) => updateMany('compareAndSetMany', entries),
    replacePrefixMany: (entries) => updateMany('replacePrefixMany', entries),
  };
}
