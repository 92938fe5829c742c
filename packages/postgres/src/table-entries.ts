/** Iteration and counting of a table store: keyset pages of the table, then the key store. Internal. */
import type { VaultStore } from '@credvault/core';
import type { Query } from './runner.js';
import { keyStoreOf } from './table-key-store.js';
import { hasTablePart, type KeyLayout, ownedByTable, type PrefixPlan, type Selection } from './table-keys.js';
import type { Compiled, RunOnTable } from './table-rows.js';

/** What {@link tableEntries} needs. */
export interface EntriesContext {
  readonly plan: PrefixPlan;
  readonly prefix: string;
  readonly layout: KeyLayout;
  readonly pageSize: number;
  readonly keyStore: VaultStore | undefined;
  readonly run: RunOnTable;
}

const startOf = (s: Exclude<Selection, undefined>): string | undefined => ('start' in s ? s.start : undefined);
const filterArgs = (start: string | undefined): unknown[] => (start === undefined || start === '' ? [] : [start]);

/**
 * Every `[key, value]` under `prefix`: the records (keyset pages on the id column), the index
 * entries of each index column (pages on column and id), then the key store's keys under it
 * (those the table holds skipped). With no key store, its part is left out where the table
 * has a part, and `UNSUPPORTED` where the prefix lies in the key store only.
 */
export async function* tableEntries(ctx: EntriesContext): AsyncGenerator<readonly [string, string]> {
  const { plan, layout, pageSize, run } = ctx;
  if (plan.rows !== undefined) {
    const filter = filterArgs(startOf(plan.rows));
    let last: string | undefined;
    for (;;) {
      const after = last === undefined ? [] : [last];
      const page = (await run('iterate', async (q, c) =>
        q(c.row.page(filter.length > 0, after.length > 0), [pageSize, ...filter, ...after]),
      )) as { id: string; v: string }[];
      for (const row of page) {
        // pg's row emptied as it is handed out (as the store's entries does, see detached() in
        // postgres-store.ts): left in it, each value outlived V8's young generation and was promoted
        const value = row.v;
        row.v = '';
        yield [`${layout.records}${row.id}`, value] as const;
      }
      if (page.length < pageSize) break;
      last = (page[page.length - 1] as { id: string }).id;
    }
  }
  for (const [field, selection] of plan.index) {
    if (selection === undefined) continue;
    yield* indexEntries(ctx, field, startOf(selection));
  }
  if (!plan.keyStore || (ctx.keyStore === undefined && hasTablePart(plan))) return;
  const store = keyStoreOf(ctx.keyStore);
  if (store.entries === undefined) return;
  for await (const [key, value] of store.entries(ctx.prefix)) if (!ownedByTable(layout, key)) yield [key, value];
}

async function* indexEntries(
  ctx: EntriesContext,
  field: string,
  start: string | undefined,
): AsyncGenerator<readonly [string, string]> {
  const filter = filterArgs(start);
  let last: { mac: string; id: string } | undefined;
  for (;;) {
    const after = last === undefined ? [] : [last.mac, last.id];
    const page = (await ctx.run('iterate', async (q, c) => {
      const ix = c.index.get(field);
      return ix === undefined
        ? []
        : q(ix.page(filter.length > 0, after.length > 0), [ctx.pageSize, ...filter, ...after]);
    })) as { mac: string; id: string }[];
    for (const row of page) yield [`${ctx.layout.index}${field}:${row.mac}`, row.id] as const;
    if (page.length < ctx.pageSize) return;
    last = page[page.length - 1];
  }
}

/** How many keys under a prefix the table holds (records and index entries). */
export async function tableCount(q: Query, c: Compiled, plan: PrefixPlan): Promise<number> {
  let n = 0;
  if (plan.rows !== undefined) {
    const args = filterArgs(startOf(plan.rows));
    n += Number(((await q(c.row.count(args.length > 0), args)) as { n: string }[])[0]?.n ?? 0);
  }
  for (const [field, selection] of plan.index) {
    const ix = c.index.get(field);
    if (selection === undefined || ix === undefined) continue;
    const args = filterArgs(startOf(selection));
    n += Number(((await q(ix.count(args.length > 0), args)) as { n: string }[])[0]?.n ?? 0);
  }
  return n;
}
