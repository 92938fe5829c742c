import { VaultError } from '../errors/index.js';
import { canonicalJson, isCanonicalJson } from './canonical-json.js';
import type { RecordText } from './envelope.js';
import { isoTime } from './iso-dates.js';

/** Readable-JSON member the vault writes beside the record: when it was stored. */
export const STORED_AT = '~storedAt';

/** Vault metadata of a stored record. */
export interface RecordMeta {
  /** When the record was last written (absent on records written before credvault kept it). */
  readonly storedAt?: Date;
}

/** The two parts of a stored record, checked by the strict reader. */
export interface RecordParts {
  /** Readable fields, `~` members taken out. */
  readonly readable: Record<string, unknown>;
  /** Sealed fields. */
  readonly secret: Record<string, unknown>;
  /** Every `~` member of the readable part, as stored (known or not). */
  readonly vault: Record<string, unknown>;
  readonly meta: RecordMeta;
  /** Secret fields found in the readable part (only when `allowSecretInClear`; otherwise they throw). */
  readonly inClear: readonly string[];
}

function malformed(message: string, id: string, path?: string): VaultError {
  return new VaultError('DECRYPT_FAILED', message, { id, ...(path === undefined ? {} : { path }) });
}

/**
 * Parses JSON text that must hold an object.
 * @throws VaultError `DECRYPT_FAILED` when it does not.
 */
export function parseObject(text: string, what: string, id: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  throw malformed(`${what} fields are not a JSON object`, id);
}

/** The dot path of the first own `__proto__` member at any depth of a parsed JSON value, if any. */
function protoPath(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return key;
    const inner = protoPath((value as Record<string, unknown>)[key]);
    if (inner !== undefined) return `${key}.${inner}`;
  }
  return undefined;
}

/**
 * Parses one part: canonical JSON (re-serializing gives back the same text) unless it is known
 * to be, and without a `__proto__` member at any depth, which would become the prototype of any
 * object it is assigned or `Object.assign`-ed into, handing fields in without being one. (The
 * text holds `"__proto__":` wherever the value has such a member; only then is it looked for.)
 */
function parseCanonical(text: string, what: string, id: string, known: boolean): Record<string, unknown> {
  if (text.charCodeAt(0) === 0xfeff) throw malformed(`${what} fields are not canonical JSON (a byte order mark)`, id);
  const value = parseObject(text, what, id);
  const proto = text.includes('"__proto__":') ? protoPath(value) : undefined;
  if (proto !== undefined) throw malformed(`the ${what} part has a "__proto__" member at "${proto}"`, id, proto);
  if (!known && !isCanonicalJson(value, text)) {
    throw malformed(
      `${what} fields are not canonical JSON (white space, key order, duplicate keys or number form)`,
      id,
    );
  }
  return value;
}

/** How {@link readRecordText} reads. */
export interface ReadTextOptions {
  /** Report secret fields found in the readable part in `inClear` instead of throwing. */
  readonly allowSecretInClear?: boolean;
  /**
   * The text is what `encodeRecord` wrote in this process (a write's text, read back before
   * the store is): canonical by construction, so the canonical check is skipped; every other rule
   * is applied.
   */
  readonly written?: boolean;
}

/**
 * Reads the text of an opened record by the strict rules of FORMAT.md ("Reading a record"):
 * both parts canonical JSON objects; `~` members only in the readable part, taken out there,
 * `~storedAt` a `toISOString()` date; no field in both parts and no `__proto__` member; no
 * secret field in the readable part. A sealed field the schema does not list as secret is
 * accepted (its secrecy was lifted).
 * @throws VaultError `DECRYPT_FAILED` for text that breaks a rule; `SECRET_IN_CLEAR` naming
 * the first secret field found in the readable part (unless `allowSecretInClear`).
 */
export function readRecordText(
  text: RecordText,
  secretFields: ReadonlySet<string>,
  id: string,
  { allowSecretInClear = false, written = false }: ReadTextOptions = {},
): RecordParts {
  const all = parseCanonical(text.readable, 'readable', id, written);
  const secret = parseCanonical(text.secret, 'secret', id, written);
  const readable: Record<string, unknown> = {};
  const vault: Record<string, unknown> = {};
  const inClear: string[] = [];
  for (const name of Object.keys(all)) {
    const value = all[name];
    if (name.startsWith('~')) vault[name] = value;
    else if (Object.hasOwn(secret, name)) throw malformed(`field "${name}" is in both parts`, id, name);
    else if (!secretFields.has(name)) readable[name] = value;
    else if (allowSecretInClear) inClear.push(name);
    else {
      throw new VaultError(
        'SECRET_IN_CLEAR',
        `secret field "${name}" is stored in clear in the readable part (run rotate with reencrypt to seal it)`,
        { id, path: name },
      );
    }
  }
  for (const name of Object.keys(secret)) {
    if (name.startsWith('~')) throw malformed(`vault member "${name}" is in the sealed part`, id, name);
  }
  return { readable, secret, vault, meta: readMeta(vault, id), inClear };
}

function readMeta(vault: Record<string, unknown>, id: string): RecordMeta {
  const storedAt = vault[STORED_AT];
  if (storedAt === undefined) return {};
  const time = typeof storedAt === 'string' ? isoTime(storedAt) : undefined;
  if (time === undefined) throw malformed(`"${STORED_AT}" is not a toISOString() date`, id, STORED_AT);
  return { storedAt: new Date(time) };
}

/**
 * The text of a stored record with every field moved to the part `secretFields` puts it in
 * now (a field made secret leaves the readable part; a field made readable leaves the sealed
 * part if `schemaFields` declares it), `~` members kept as they are.
 * @throws VaultError `DECRYPT_FAILED` as {@link readRecordText}.
 */
export function resplitRecordText(
  text: RecordText,
  secretFields: ReadonlySet<string>,
  schemaFields: readonly string[],
  id: string,
): RecordText {
  const parts = readRecordText(text, secretFields, id, { allowSecretInClear: true });
  const all = parseObject(text.readable, 'readable', id);
  const readable: Record<string, unknown> = { ...parts.vault, ...parts.readable };
  const secret: Record<string, unknown> = {};
  for (const name of parts.inClear) secret[name] = all[name];
  for (const [name, value] of Object.entries(parts.secret)) {
    if (!secretFields.has(name) && schemaFields.includes(name)) readable[name] = value;
    else secret[name] = value;
  }
  return { readable: canonicalJson(readable), secret: canonicalJson(secret) };
}
