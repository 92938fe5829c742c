/**
 * The operations of a table store that span its three parts (rows, index columns, keyStore):
 * batches split by where each key lives, and `count`/`entries` of a prefix over every part
 * that can hold keys under it. Internal.
 */
import { checkDistinctKeys, type VaultStore } from '@credvault/core';
import type { IndexOperations } from './table-index.js';
import { type Route, routeKey } from './table-keys.js';
import type { TableConfig } from './table-options.js';
import type { RowOperations } from './table-rows.js';

type Triple = readonly [string, string, string];
type BatchName = 'compareAndSetMany' | 'replacePrefixMany';

/** The cross-part operations of a table store; `self` is the store (its single-key methods route each key). */
export interface TableParts {
  getMany(keys: readonly string[], self: VaultStore): Promise<(string | undefined)[]>;
  setMany(entries: readonly (readonly [string, string])[], self: VaultStore): Promise<void>;
  batch(operation: BatchName, entries: readonly Triple[], self: VaultStore): Promise<boolean[]>;
  count(prefix: string): Promise<number>;
  entries(prefix: string): AsyncIterable<readonly [string, string]>;
}

/** Compare-and-set of one entry, or a replace of its start (read, then compare-and-set of the whole value). */
async function one(operation: BatchName, self: VaultStore, [key, a, b]: Triple): Promise<boolean> {
  const cas = self.compareAndSet as NonNullable<VaultStore['compareAndSet']>;
  if (operation === 'compareAndSetMany') return cas.call(self, key, a, b);
  const value = await self.get(key);
  if (a === '' || value === undefined || !value.startsWith(a)) return false;
  return cas.call(self, key, value, b + value.slice(a.length));
}

/**
 * The cross-part operations over `rows`, `index` and the keyStore that `other` answers (or
 * refuses). One factory over 80 lines: the operations share the routing and prefix helpers.
 */
export function tableParts(
  config: TableConfig,
  rows: RowOperations,
  index: IndexOperations,
  other: (method: keyof VaultStore) => VaultStore,
): TableParts {
  const { namespace, indexColumns, keyStore } = config;
  const route = (key: string): Route => routeKey(key, namespace, indexColumns);
  const records = `${namespace}:`;
  /** The id prefix of the rows under `prefix` ('' for all of them), or undefined when none is. */
  const idPrefix = (prefix: string): string | undefined => {
    if (records.startsWith(prefix)) return '';
    if (!prefix.startsWith(records)) return undefined;
    const rest = prefix.slice(records.length);
    return rest.startsWith('~') ? undefined : rest;
  };
  /** `[field, column, mac prefix]` of every index column with entries under `prefix`. */
  const indexed = (prefix: string): [string, string, string][] =>
    [...indexColumns].flatMap(([field, column]): [string, string, string][] => {
      const base = `~ix:${namespace}:${field}:`;
      if (base.startsWith(prefix)) return [[field, column, '']];
      const mac = prefix.slice(base.length);
      return prefix.startsWith(base) && !mac.includes(':') ? [[field, column, mac]] : [];
    });
  const outside = (key: string) => route(key).kind === 'keyStore';

  return {
    async getMany(keys, self) {
      const ids = keys.flatMap((key) => {
        const at = route(key);
        return at.kind === 'row' ? [at.id] : [];
      });
      const found = await rows.getMany(ids);
      const rest = keys.filter(outside);
      const ks = rest.length === 0 ? undefined : other('get');
      const values =
        ks?.getMany === undefined ? await Promise.all(rest.map((key) => ks?.get(key))) : await ks.getMany(rest);
      const fromStore = new Map(rest.map((key, n) => [key, values[n]]));
      return Promise.all(
        keys.map(async (key) => {
          const at = route(key);
          if (at.kind === 'row') return found.get(at.id);
          if (at.kind === 'index') return self.get(key);
          return fromStore.get(key);
        }),
      );
    },
    async setMany(entries, self) {
      const own: [string, string][] = [];
      const rest: (readonly [string, string])[] = [];
      for (const entry of entries) {
        const at = route(entry[0]);
        if (at.kind === 'row') own.push([at.id, entry[1]]);
        else if (at.kind === 'index') await self.set(entry[0], entry[1]);
        else rest.push(entry);
      }
      await rows.setMany(own);
      if (rest.length === 0) return;
      const ks = other('set');
      if (ks.setMany !== undefined) await ks.setMany(rest);
      else for (const [key, value] of rest) await ks.set(key, value);
    },
    async batch(operation, entries, self) {
      checkDistinctKeys(entries, operation);
      const own: Triple[] = [];
      const rest: Triple[] = [];
      for (const [key, a, b] of entries) {
        const at = route(key);
        if (at.kind === 'row') own.push([at.id, a, b]);
        else if (at.kind === 'keyStore') rest.push([key, a, b]);
      }
      const written = await rows.batchUpdate(operation, own);
      const ks = rest.length === 0 ? undefined : other('get');
      const many = ks?.[operation];
      const theirs = many === undefined || ks === undefined ? undefined : await many.call(ks, rest);
      const outcome = new Map(rest.map(([key], n) => [key, theirs?.[n]]));
      return Promise.all(
        entries.map(async (entry) => {
          const at = route(entry[0]);
          if (at.kind === 'row') return written.has(at.id);
          return outcome.get(entry[0]) ?? one(operation, self, entry);
        }),
      );
    },
    async count(prefix) {
      const ids = idPrefix(prefix);
      let total = ids === undefined ? 0 : await rows.count(ids);
      for (const [, column, mac] of indexed(prefix)) total += await index.count(column, mac);
      if (keyStore === undefined) return total;
      if (keyStore.count !== undefined) return total + (await keyStore.count(prefix));
      for await (const [key] of iterateOther(prefix)) if (outside(key)) total += 1;
      return total;
    },
    async *entries(prefix) {
      const ids = idPrefix(prefix);
      if (ids !== undefined) for await (const [id, value] of rows.entries(ids)) yield [`${records}${id}`, value];
      for (const [field, column, mac] of indexed(prefix)) {
        const base = `~ix:${namespace}:${field}:`;
        for await (const [token, id] of index.entries(column, mac)) yield [`${base}${token}`, id];
      }
      if (keyStore === undefined) return;
      for await (const entry of iterateOther(prefix)) if (outside(entry[0])) yield entry;
    },
  };

  function iterateOther(prefix: string): AsyncIterable<readonly [string, string]> {
    const ks = other('entries'); // UNSUPPORTED when keyStore cannot iterate
    return (ks.entries as NonNullable<VaultStore['entries']>).call(ks, prefix);
  }
}
