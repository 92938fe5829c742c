/**
 * What a record this process has just validated reads back as, built without reading it back.
 *
 * A read of stored text parses it and validates the result again (FORMAT.md's strict reader).
 * For a schema of plain parts, that gives back the validated record, up to what the trip through
 * canonical JSON changes: `undefined` members left out, `-0` read as `0`, free-form objects with
 * their keys in canonical order, fresh Dates. {@link rereaderOf} compiles a schema into a copier
 * that makes exactly those changes, so the first read of a write need not parse and validate the
 * text the write produced (validation twice on one path). Any schema with a part whose output
 * might not validate to itself (a transformation, a fallback, a union, a lazy or custom schema, a
 * number that may be infinite, a plain `v.date()`, ...) gets no copier, and its reads validate.
 * Internal.
 */

/** Builds a fresh copy of a validated value, as reading its canonical JSON back would give it. */
export type Rereader = (value: unknown) => unknown;

/** A valibot schema or action, as far as the compiler looks into it. */
interface Node {
  readonly kind?: string;
  readonly type?: string;
  readonly pipe?: readonly Node[];
  readonly wrapped?: Node;
  readonly item?: Node;
  readonly entries?: Readonly<Record<string, Node>>;
  readonly options?: readonly unknown[];
  readonly literal?: unknown;
}

/** Schemas whose reading back is known by construction (`dateField`, `jsonObjectField`). */
const known = new WeakMap<object, Rereader>();
const compiled = new WeakMap<object, Rereader | null>();

/** Declares how values of `schema` (one of this library's field schemas) read back. */
export function readsBackAs<T extends object>(schema: T, rereader: Rereader): T {
  known.set(schema, rereader);
  return schema;
}

/** The copier of a record schema, or `undefined` when a read must validate what it parses. */
export function rereaderOf(schema: object): Rereader | undefined {
  let rereader = compiled.get(schema);
  if (rereader === undefined) {
    rereader = compile(schema as Node, false) ?? null;
    compiled.set(schema, rereader);
  }
  return rereader ?? undefined;
}

/** Pipe items that never change the value. */
const CHECKS = new Set(['validation', 'metadata']);
/** Validations that keep a number finite, so that JSON writes it as a number. */
const FINITE = new Set(['finite', 'integer', 'safe_integer']);

const same: Rereader = (value) => value;
/** A string, boolean or finite number as it reads back: JSON writes `-0` as `0`. */
const scalar: Rereader = (value) => (value === 0 ? 0 : value);
/** A value JSON writes as itself (up to `-0`). */
const isJsonScalar = (value: unknown) =>
  typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

function compile(node: Node, finite: boolean): Rereader | undefined {
  const own = known.get(node);
  if (own !== undefined) return own;
  // v.fallback() keeps the schema's type and answers a value it never validated.
  if (Object.hasOwn(node, 'fallback')) return undefined;
  if (node.pipe !== undefined) {
    const [base, ...actions] = node.pipe;
    if (base === undefined || !actions.every((action) => CHECKS.has(action.kind as string))) return undefined;
    return compile(base, finite || actions.some((action) => FINITE.has(action.type as string)));
  }
  switch (node.type) {
    case 'string':
    case 'boolean':
    case 'null':
      return same;
    case 'number':
      return finite ? scalar : undefined;
    case 'picklist':
    case 'enum':
      return node.options?.every(isJsonScalar) === true ? scalar : undefined;
    case 'literal':
      return isJsonScalar(node.literal) ? scalar : undefined;
    case 'optional':
    case 'nullable':
    case 'nullish':
      return optional(node.wrapped);
    case 'array':
      return array(node.item);
    case 'object':
    case 'strict_object':
      return object(node.entries);
    default:
      return undefined;
  }
}

function optional(wrapped: Node | undefined): Rereader | undefined {
  const inner = wrapped === undefined ? undefined : compile(wrapped, false);
  return inner === undefined ? undefined : (value) => (value === undefined || value === null ? value : inner(value));
}

function array(item: Node | undefined): Rereader | undefined {
  // An item that may be undefined is written as null, which it then need not accept.
  if (item === undefined || ['optional', 'nullish'].includes(item.type as string)) return undefined;
  const inner = compile(item, false);
  return inner === undefined ? undefined : (value) => (value as unknown[]).map(inner);
}

function object(entries: Readonly<Record<string, Node>> | undefined): Rereader | undefined {
  if (entries === undefined || Object.hasOwn(entries, '__proto__')) return undefined;
  const fields: [string, Rereader][] = [];
  for (const [name, entry] of Object.entries(entries)) {
    const inner = compile(entry, false);
    if (inner === undefined) return undefined;
    fields.push([name, inner]);
  }
  // In schema order, as validation builds it; a member JSON leaves out is left out.
  return (value) => {
    const out: Record<string, unknown> = {};
    for (const [name, inner] of fields) {
      const item = (value as Record<string, unknown>)[name];
      if (item !== undefined) out[name] = inner(item);
    }
    return out;
  };
}

/** A JSON value (what `jsonObjectField` holds) as its canonical JSON reads back: object keys in canonical order. */
export function rereadJson(value: unknown): unknown {
  if (typeof value === 'number') return value === 0 ? 0 : value;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(rereadJson);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = rereadJson((value as Record<string, unknown>)[key]);
    // defineProperty, not assignment: an own "__proto__" key stays a key (validation drops it anyway).
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}

/** A Date as it reads back: a new one at the same time. */
export const rereadDate: Rereader = (value) => new Date((value as Date).getTime());
