/** Which part of a table store a store key belongs to (FORMAT.md, "Store keys"). Internal. */

/** A key of the table store: a row's envelope, a row's index token, or a key of `keyStore`. */
export type Route =
  | { readonly kind: 'row'; readonly id: string }
  | { readonly kind: 'index'; readonly id?: never; readonly column: string; readonly mac: string }
  | { readonly kind: 'keyStore' };

const KEY_STORE: Route = { kind: 'keyStore' };

/**
 * Routes `key`: `<namespace>:<id>` (id not starting with `~`) → the row; `~ix:<namespace>:<field>:<mac>`
 * with a column for `field` → that column; anything else → `keyStore`.
 */
export function routeKey(key: string, namespace: string, indexColumns: ReadonlyMap<string, string>): Route {
  const records = `${namespace}:`;
  if (key.startsWith(records)) {
    const id = key.slice(records.length);
    return id === '' || id.startsWith('~') ? KEY_STORE : { kind: 'row', id };
  }
  const index = `~ix:${namespace}:`;
  if (key.startsWith(index)) {
    const rest = key.slice(index.length);
    const colon = rest.lastIndexOf(':');
    const column = colon > 0 ? indexColumns.get(rest.slice(0, colon)) : undefined;
    const mac = rest.slice(colon + 1);
    if (column !== undefined && mac !== '') return { kind: 'index', column, mac };
  }
  return KEY_STORE;
}
