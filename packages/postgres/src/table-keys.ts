/** Which store keys a table store keeps in the table, and which go to its key store. Internal. */

/** Where one store key lives. */
export type Route =
  /** `<namespace>:<id>`, id not starting with `~`: the envelope column of row `id`. */
  | { readonly kind: 'row'; readonly id: string }
  /** `~ix:<namespace>:<field>:<mac>` of a field with a column: that column, holding `mac`. */
  | { readonly kind: 'index'; readonly field: string; readonly mac: string }
  /** Everything else (`<namespace>:~index-key`, tenant keys, leases, ...): the key store. */
  | { readonly kind: 'other' };

/** The key layout of one table store. */
export interface KeyLayout {
  /** `<namespace>:` */
  readonly records: string;
  /** `~ix:<namespace>:` */
  readonly index: string;
  /** Fields with an index column. */
  readonly fields: readonly string[];
}

/** The layout of `namespace` with index columns for `fields`. */
export function keyLayout(namespace: string, fields: readonly string[]): KeyLayout {
  return { records: `${namespace}:`, index: `~ix:${namespace}:`, fields };
}

/** Where `key` lives. */
export function route(layout: KeyLayout, key: string): Route {
  if (key.startsWith(layout.records)) {
    const id = key.slice(layout.records.length);
    return id.startsWith('~') ? { kind: 'other' } : { kind: 'row', id };
  }
  if (key.startsWith(layout.index)) {
    const rest = key.slice(layout.index.length);
    const colon = rest.lastIndexOf(':'); // a mac is base64url: the last colon ends the field
    const field = rest.slice(0, Math.max(colon, 0));
    if (colon > 0 && layout.fields.includes(field)) return { kind: 'index', field, mac: rest.slice(colon + 1) };
  }
  return { kind: 'other' };
}

/** The part of one source a prefix selects: nothing, everything, or what starts with `start`. */
export type Selection = { readonly all: true } | { readonly start: string } | undefined;

/** What `prefix` selects of the rows (their ids), of each index column (its macs), and of the key store. */
export interface PrefixPlan {
  readonly rows: Selection;
  readonly index: readonly (readonly [field: string, selection: Selection])[];
  /** The key store's keys under `prefix`, or nothing when the table holds every key under it. */
  readonly keyStore: boolean;
}

/** Splits `prefix` over the sources; keys the table holds are never read from the key store. */
export function planPrefix(layout: KeyLayout, prefix: string): PrefixPlan {
  const select = (base: string): Selection => {
    if (base.startsWith(prefix)) return { all: true };
    return prefix.startsWith(base) ? { start: prefix.slice(base.length) } : undefined;
  };
  let rows = select(layout.records);
  if (rows !== undefined && 'start' in rows && rows.start.startsWith('~')) rows = undefined;
  const index = layout.fields.map((field) => [field, select(`${layout.index}${field}:`)] as const);
  const tableOnly =
    (rows !== undefined && 'start' in rows && rows.start !== '') ||
    index.some(([, s]) => s !== undefined && 'start' in s);
  return { rows, index, keyStore: !tableOnly };
}

/** Whether a key the key store yields belongs to the table (a stray copy), so it is skipped. */
export function ownedByTable(layout: KeyLayout, key: string): boolean {
  return route(layout, key).kind !== 'other';
}

/** Whether a prefix plan reads anything from the table. */
export function hasTablePart(plan: PrefixPlan): boolean {
  return plan.rows !== undefined || plan.index.some(([, s]) => s !== undefined);
}
