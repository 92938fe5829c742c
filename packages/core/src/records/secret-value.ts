import { invalidArgument, isRecordLike } from '../errors/index.js';
import { type AnyCredentialSchema, type InputOf, isCredentialSchema, type OutputOf, type SecretOf } from './schema.js';

/** What a {@link Secret} shows instead of its value: in strings, JSON and `String()`. */
export const SECRET_MASK = '[secret]';

/**
 * The values of the secrets made, keyed by the secret. A module-private map rather than a
 * `#private` field: browser developer tools and `node --inspect` show `#private` fields when an
 * object is logged or previewed; a secret has no field at all to show.
 */
const values = new WeakMap<object, unknown>();

/**
 * A secret field's value that cannot leak by accident: it shows as {@link SECRET_MASK} in
 * `String()`, template strings, concatenation and `JSON.stringify`, as `Secret([secret])` in
 * `console.log` and `util.inspect` (node, Bun, Deno), and holds nothing enumerable, so
 * `Object.keys`, spreading and `structuredClone` find nothing either. Only {@link Secret.expose}
 * gives the value. Frozen. What `createVault({ secrets: 'masked' })` returns in secret fields.
 *
 * Beware: test matchers that compare own properties (`toEqual`) find every two secrets equal;
 * compare `expose()`d values.
 *
 * @typeParam T - the value's type
 */
export class Secret<T> {
  /**
   * Wraps `value`. An object value is held as it is, not copied.
   * @param value - the secret value
   */
  constructor(value: T) {
    values.set(this, value);
    Object.freeze(this);
  }

  /** Whether `value` is a {@link Secret} (made by this copy of `@credvault/core`). */
  static is(value: unknown): value is Secret<unknown> {
    return typeof value === 'object' && value !== null && values.has(value);
  }

  /**
   * The value, exactly as it was wrapped: the one explicit way to the plaintext.
   * @throws VaultError `INVALID_ARGUMENT` (path `this`) when called on something that is not a secret.
   */
  expose(): T {
    if (!values.has(this)) throw invalidArgument('this', 'a Secret: expose() was called on another object');
    return values.get(this) as T;
  }

  /** {@link SECRET_MASK}, never the value. */
  toString(): string {
    return SECRET_MASK;
  }

  /** {@link SECRET_MASK}, never the value: what `JSON.stringify` writes. */
  toJSON(): string {
    return SECRET_MASK;
  }

  /** {@link SECRET_MASK} for every hint: template strings, `+`, `String()`. */
  [Symbol.toPrimitive](): string {
    return SECRET_MASK;
  }

  /** `[object Secret]` for `Object.prototype.toString`. */
  get [Symbol.toStringTag](): string {
    return 'Secret';
  }

  static {
    // What node's and Bun's `util.inspect` (so `console.log`) and Deno's `console.log` show.
    for (const name of ['nodejs.util.inspect.custom', 'Deno.customInspect']) {
      Object.defineProperty(Secret.prototype, Symbol.for(name), { value: () => `Secret(${SECRET_MASK})` });
    }
    // Frozen, so that no code can patch the masking methods or `is` of every secret.
    Object.freeze(Secret.prototype);
    Object.freeze(Secret);
  }
}

/** A secret field's value as a masked vault returns it: `undefined` stays `undefined`. */
type MaskedValue<V> = Exclude<V, undefined> extends never ? V : Secret<Exclude<V, undefined>> | Extract<V, undefined>;

/**
 * A record of schema `S` as `createVault({ secrets: 'masked' })` returns it: each secret field
 * (`SecretOf<S>`) a {@link Secret} of its type, optional fields still optional, the others as
 * `OutputOf<S>` has them.
 */
export type Masked<S extends AnyCredentialSchema> = {
  [K in keyof OutputOf<S>]: K extends SecretOf<S> ? MaskedValue<OutputOf<S>[K]> : OutputOf<S>[K];
};

/**
 * What a masked vault's `set` (and an updater or refresher) accepts for schema `S`: `InputOf<S>`
 * whose secret fields may also be {@link Secret}s, exposed before validation. A masked record
 * read from the vault is one.
 */
export type MaskedInput<S extends AnyCredentialSchema> = {
  [K in keyof InputOf<S>]: K extends SecretOf<S>
    ? InputOf<S>[K] | Secret<Exclude<InputOf<S>[K], undefined>>
    : InputOf<S>[K];
};

/** @throws VaultError `INVALID_ARGUMENT` naming `schema` or `record`. */
function checkArguments(schema: unknown, record: unknown): void {
  if (!isCredentialSchema(schema)) {
    throw invalidArgument('schema', 'a credential schema (from defineCredentialSchema)');
  }
  if (!isRecordLike(record)) throw invalidArgument('record', 'a record (an object)');
}

/**
 * A copy of `record` with each secret field of `schema` that is present wrapped in a
 * {@link Secret} (a field already wrapped is kept); the other fields as they are.
 *
 * @example
 * ```ts
 * const masked = maskSecrets(connectionSchema, connection)
 * console.log(masked) // { ..., accessToken: Secret([secret]), ... }
 * ```
 * @throws VaultError `INVALID_ARGUMENT` naming `schema` (not a credential schema) or `record`
 * (not an object).
 */
export function maskSecrets<S extends AnyCredentialSchema>(schema: S, record: OutputOf<S>): Masked<S> {
  checkArguments(schema, record);
  return maskRecord(schema.secret, record as object) as Masked<S>;
}

/**
 * A copy of `record` with each secret field of `schema` that holds a {@link Secret} replaced by
 * its value: the plain record again. Plain values in secret fields are kept.
 * @throws VaultError `INVALID_ARGUMENT` naming `schema` (not a credential schema) or `record`
 * (not an object).
 */
export function exposeSecrets<S extends AnyCredentialSchema>(schema: S, record: Masked<S>): OutputOf<S>;
/**
 * A copy of an input record with each secret field of `schema` that holds a {@link Secret}
 * replaced by its value.
 * @throws VaultError `INVALID_ARGUMENT` naming `schema` or `record`.
 */
export function exposeSecrets<S extends AnyCredentialSchema>(schema: S, record: MaskedInput<S>): InputOf<S>;
export function exposeSecrets(schema: AnyCredentialSchema, record: object): object {
  checkArguments(schema, record);
  return exposeRecord(schema.secret, record);
}

/** {@link maskSecrets} without the checks: `record` is an object. */
export function maskRecord(secret: ReadonlySet<string>, record: object): object {
  const copy: Record<string, unknown> = { ...record };
  for (const name of secret) {
    const value = copy[name];
    if (value !== undefined && Object.hasOwn(copy, name) && !Secret.is(value)) copy[name] = new Secret(value);
  }
  return copy;
}

/**
 * {@link exposeSecrets} without the checks; anything but an object (which validation will
 * refuse with its own error) is returned as it is.
 */
export function exposeRecord<T>(secret: ReadonlySet<string>, record: T): T {
  if (!isRecordLike(record)) return record;
  let copy: Record<string, unknown> | undefined;
  for (const name of secret) {
    const value = Object.hasOwn(record, name) ? record[name] : undefined;
    if (!Secret.is(value)) continue;
    copy ??= { ...record };
    copy[name] = value.expose();
  }
  return (copy ?? record) as T;
}
