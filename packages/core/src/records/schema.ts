import * as v from 'valibot';
import { checkArray, invalidArgument, isRecordLike, VaultError, type VaultIssue } from '../errors/index.js';

/** The valibot object schemas a credential schema can be built on. */
export type CredentialObjectSchema =
  | v.ObjectSchema<v.ObjectEntries, v.ErrorMessage<v.ObjectIssue> | undefined>
  | v.StrictObjectSchema<v.ObjectEntries, v.ErrorMessage<v.StrictObjectIssue> | undefined>;

/**
 * A record shape the vault can store: a valibot schema plus which of its fields are secret.
 * Secret fields are sealed together; every other field is stored readable (so entries can be
 * filtered on it) and authenticated.
 *
 * @typeParam TInput - what `set` accepts
 * @typeParam TOutput - what `get` returns
 * @typeParam TSecret - names of the secret fields
 */
export interface CredentialSchema<TInput, TOutput, TSecret extends string> {
  /** The valibot schema every record is validated with, on `set` and again on each `get` that opens stored text. */
  readonly schema: v.GenericSchema<TInput, TOutput>;
  /** The secret field names. */
  readonly secret: ReadonlySet<TSecret>;
  /** Every field name the schema declares, in schema order. */
  readonly fields: readonly string[];
}

/** Any credential schema. */
// biome-ignore lint/suspicious/noExplicitAny: the widest form of a generic type
export type AnyCredentialSchema = CredentialSchema<any, any, string>;

/** What `set` accepts for a credential schema. */
export type InputOf<S extends AnyCredentialSchema> = S extends CredentialSchema<infer I, unknown, string> ? I : never;
/** What `get` returns for a credential schema. */
export type OutputOf<S extends AnyCredentialSchema> = S extends CredentialSchema<unknown, infer O, string> ? O : never;
/** The secret field names of a credential schema. */
export type SecretOf<S extends AnyCredentialSchema> = S extends CredentialSchema<unknown, unknown, infer K> ? K : never;
/** The readable (non-secret) part of a record of a credential schema. */
export type ReadableOf<S extends AnyCredentialSchema> = Omit<OutputOf<S>, SecretOf<S>>;

/** Options of {@link defineCredentialSchema}. */
export interface DefineCredentialSchemaOptions<TSecret extends string> {
  /** The fields to seal. Declared once, here. */
  readonly secret: readonly TSecret[];
}

/**
 * Declares a record shape for the vault: a valibot `object` or `strictObject` schema and
 * the names of its secret fields. Dates must use {@link dateField} and free-form objects
 * {@link jsonObjectField} so that records survive the trip through the store.
 *
 * @example
 * ```ts
 * const stripeKey = defineCredentialSchema(
 *   v.strictObject({ account: v.string(), apiKey: v.string() }),
 *   { secret: ['apiKey'] },
 * )
 * ```
 * @throws VaultError `INVALID_ARGUMENT` when a secret name is not a field of the schema, a
 * field name starts with `~` (reserved for vault metadata), or the schema is not an object
 * schema (a loose object would store unknown keys readable; path `schema`), or `options` is not
 * an object whose `secret` is an array of strings (path `options`, `secret`, `secret.<i>`).
 */
export function defineCredentialSchema<
  TSchema extends CredentialObjectSchema,
  const TSecret extends keyof v.InferOutput<TSchema> & string,
>(
  schema: TSchema,
  options: DefineCredentialSchemaOptions<TSecret>,
): CredentialSchema<v.InferInput<TSchema>, v.InferOutput<TSchema>, TSecret> {
  checkDefinition(schema, options);
  const fields = Object.keys(schema.entries);
  const reserved = fields.find((name) => name.startsWith('~'));
  if (reserved !== undefined) {
    throw new VaultError(
      'INVALID_ARGUMENT',
      `field "${reserved}": names starting with "~" are reserved for the vault`,
      {
        path: reserved,
      },
    );
  }
  for (const name of options.secret) {
    if (!fields.includes(name)) {
      throw new VaultError('INVALID_ARGUMENT', `secret field "${name}" is not in the schema`, { path: name });
    }
  }
  return Object.freeze({ schema, secret: new Set(options.secret), fields: Object.freeze(fields) });
}

/**
 * Checks the arguments of {@link defineCredentialSchema}.
 * @throws VaultError `INVALID_ARGUMENT` naming `schema`, `options`, `secret` or `secret.<i>`.
 */
function checkDefinition(schema: unknown, options: unknown): void {
  const type = isRecordLike(schema) ? schema.type : undefined;
  if (
    (type !== 'object' && type !== 'strict_object') ||
    !isRecordLike((schema as v.ObjectSchema<v.ObjectEntries, undefined>).entries)
  ) {
    throw invalidArgument('schema', 'a valibot object() or strictObject() schema');
  }
  if (!isRecordLike(options)) throw invalidArgument('options', 'an object with the secret field names');
  checkArray(options.secret, 'secret');
  options.secret.forEach((name, index) => {
    if (typeof name !== 'string') throw invalidArgument(`secret.${index}`, 'a field name (a string)');
  });
}

function toIssue(issue: v.BaseIssue<unknown>): VaultIssue {
  return { path: v.getDotPath(issue) ?? '', expected: issue.expected ?? issue.type };
}

/**
 * Validates `input` against the schema. The error never holds the input or valibot's own
 * messages, which quote the value received.
 *
 * @throws VaultError `VALIDATION_FAILED` naming the first field path and listing every issue.
 */
export function validate<TOutput>(
  schema: v.GenericSchema<unknown, TOutput>,
  input: unknown,
  id: string | undefined,
): TOutput {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const issues = result.issues.map(toIssue);
  const first = issues[0] as VaultIssue;
  const where = first.path === '' ? 'the record' : `"${first.path}"`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  const options = { path: first.path, issues, ...(id === undefined ? {} : { id }) };
  throw new VaultError('VALIDATION_FAILED', `invalid ${where}: expected ${first.expected}${more}`, options);
}

/** A validated record split into its readable and secret fields (absent fields left out). */
export interface SplitRecord {
  readonly readable: Record<string, unknown>;
  readonly secret: Record<string, unknown>;
}

/** Splits a validated record by the schema's secret set. */
export function splitRecord(record: object, secret: ReadonlySet<string>): SplitRecord {
  const readable: Record<string, unknown> = {};
  const sealed: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const value = (record as Record<string, unknown>)[key];
    if (value !== undefined) (secret.has(key) ? sealed : readable)[key] = value;
  }
  return { readable, secret: sealed };
}

/** Whether `value` has the shape of a schema from {@link defineCredentialSchema} (an object with a `secret` set). */
export function isCredentialSchema(value: unknown): value is AnyCredentialSchema {
  return isRecordLike(value) && value.secret instanceof Set;
}
