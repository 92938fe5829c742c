import * as v from 'valibot';

/**
 * The check and copy behind `jsonObjectField`: one walk over the value that accepts only what
 * canonical JSON writes and reads back unchanged, and copies it. Internal.
 */

/**
 * Levels of objects and arrays a JSON field may hold, the field's own object the first
 * (FORMAT.md, "JSON fields"). A cyclic value never ends, so it is refused for its depth.
 */
export const MAX_JSON_DEPTH = 64;

/** What is wrong, and where (keys from the field down, filled in as the walk unwinds). */
class Fault {
  readonly path: (string | number)[] = [];
  constructor(readonly expected: string) {}
}

const JSON_VALUE = 'null, a boolean, a finite number other than -0, a string, a plain array or a plain object';

/** A copy of `value` if it is a JSON value (nested `depth` levels so far); else throws a {@link Fault}. */
function copyValue(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // NaN and Infinity would be written as null, -0 as 0.
      if (!Number.isFinite(value) || (value === 0 && 1 / value < 0)) throw new Fault(JSON_VALUE);
      return value;
    case 'object':
      return value === null ? null : copyContainer(value, depth + 1);
    default:
      throw new Fault(JSON_VALUE);
  }
}

function copyContainer(value: object, depth: number): unknown {
  if (depth > MAX_JSON_DEPTH) throw new Fault(`at most ${MAX_JSON_DEPTH} levels of objects and arrays (and no cycle)`);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Array.prototype) return copyArray(value as unknown[], depth);
  if (proto === Object.prototype || proto === null) return copyObject(value as Record<string, unknown>, depth);
  throw new Fault(JSON_VALUE);
}

function copyArray(array: unknown[], depth: number): unknown[] {
  // Own keys: every index and `length`, nothing else (no hole, no extra property, no symbol).
  if (Reflect.ownKeys(array).length !== array.length + 1) throw new Fault('a dense array without other properties');
  const out: unknown[] = new Array(array.length);
  let i = 0;
  try {
    for (; i < array.length; i++) out[i] = copyValue(array[i], depth);
  } catch (error) {
    if (error instanceof Fault) error.path.unshift(i);
    throw error;
  }
  return out;
}

function copyObject(object: Record<string, unknown>, depth: number): Record<string, unknown> {
  const keys = Object.keys(object);
  // A symbol or non-enumerable key would be left out of the JSON.
  if (Reflect.ownKeys(object).length !== keys.length) throw new Fault('only enumerable string keys');
  const out: Record<string, unknown> = {};
  let key = '';
  try {
    for (key of keys) {
      // Assigned, an own "__proto__" would set the prototype of whatever reads it in.
      if (key === '__proto__') throw new Fault('no key "__proto__"');
      out[key] = copyValue(object[key], depth);
    }
  } catch (error) {
    if (error instanceof Fault) error.path.unshift(key);
    throw error;
  }
  return out;
}

/** The path items valibot's `getDotPath` reads (only their keys count). */
function issuePath(input: unknown, path: (string | number)[]): [v.IssuePathItem, ...v.IssuePathItem[]] | undefined {
  if (path.length === 0) return undefined;
  return path.map((key) => ({ type: 'unknown', origin: 'value', input, key, value: undefined })) as [
    v.UnknownPathItem,
    ...v.UnknownPathItem[],
  ];
}

/**
 * The valibot schema of a JSON object field: a plain object (prototype `Object.prototype` or
 * `null`) of JSON values, at most {@link MAX_JSON_DEPTH} levels deep, no key `__proto__`;
 * outputs a fresh copy made of ordinary objects and arrays.
 */
export function jsonObjectSchema<T>(): v.GenericSchema<T> {
  return v.pipe(
    v.unknown(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const input = dataset.value;
      try {
        if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new Fault('a plain object');
        return copyContainer(input, 1) as T;
      } catch (error) {
        if (!(error instanceof Fault)) throw error;
        const path = issuePath(input, error.path);
        addIssue({ expected: error.expected, message: 'invalid JSON field', ...(path === undefined ? {} : { path }) });
        return NEVER;
      }
    }),
  ) as unknown as v.GenericSchema<T>;
}
