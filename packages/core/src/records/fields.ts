import * as v from 'valibot';
import { daysInMonth, isoTime } from '../format/index.js';
import { jsonObjectSchema } from './json-field.js';
import { readsBackAs, rereadDate, rereadJson } from './reread.js';

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|([+-])(\d{2}):(\d{2}))$/i;
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const MIN_TIME = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z (Date.UTC would read year 0 as 1900)

function isIsoTimestamp(text: string): boolean {
  const m = ISO.exec(text);
  if (m === null) return false;
  const [year, month, day, hour, minute, second, , offHour, offMinute] = m.slice(1).map(Number) as number[];
  return (
    (month as number) >= 1 &&
    (month as number) <= 12 &&
    (day as number) >= 1 &&
    (day as number) <= daysInMonth(year as number, month as number) &&
    (hour as number) <= 23 &&
    (minute as number) <= 59 &&
    (Number.isNaN(second) || (second as number) <= 59) &&
    (Number.isNaN(offHour) || ((offHour as number) <= 23 && (offMinute as number) <= 59))
  );
}

/**
 * Turns a Date or an ISO-8601 timestamp with a time zone (`2024-10-01T12:00:00Z`,
 * `2024-10-01T14:00:00.5+02:00`) into a Date, or `undefined` when it is not one. Impossible
 * calendar dates (`2024-02-30`) and dates outside years 0000-9999 (which do not survive
 * `toISOString`) are refused rather than rolled over. Anything that is neither a Date nor a
 * string (a number, `null`, a bigint...) is not one either: `undefined`, never an error.
 */
export function toDate(value: Date | string): Date | undefined {
  if (typeof value !== 'string' && !(value instanceof Date)) return undefined;
  if (typeof value === 'string') {
    // The form credvault itself writes (what toISOString writes), read by arithmetic.
    const time = isoTime(value);
    if (time !== undefined) return new Date(time);
  }
  if (typeof value === 'string' && !isIsoTimestamp(value)) return undefined;
  const date = new Date(value);
  const time = date.getTime();
  return Number.isNaN(time) || time < MIN_TIME || time > MAX_TIME ? undefined : date;
}

/** The valibot schema type of {@link dateField}. */
export type DateFieldSchema = v.GenericSchema<Date | string, Date>;

/**
 * A date field: accepts a valid `Date` or an ISO-8601 timestamp string, returns a `Date`.
 * Use it for every date in a custom schema, so that records round-trip through the store.
 */
export function dateField(): DateFieldSchema {
  return readsBackAs(
    v.pipe(
      v.union([v.date(), v.string()]),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        const date = toDate(dataset.value);
        if (date === undefined) {
          addIssue({ expected: 'Date or ISO-8601 timestamp', message: 'invalid date' });
          return NEVER;
        }
        return date;
      }),
    ),
    rereadDate,
  );
}

/** A JSON value that survives a round trip through `JSON.stringify` unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object, as held by free-form fields such as `meta`. */
export type JsonObject = { [key: string]: JsonValue };

/** The valibot schema type of {@link jsonObjectField}. */
export type JsonObjectSchema = v.GenericSchema<JsonObject>;

/**
 * A free-form JSON object field (such as ConnectionAuth `meta`), readable or secret: a plain
 * object (prototype `Object.prototype` or `null`) whose values are, at any depth, null,
 * booleans, strings, finite numbers other than `-0`, dense plain arrays without extra
 * properties, and plain objects with enumerable string keys other than `__proto__`, at most
 * 64 levels of objects and arrays deep (the field's own object the first). Anything JSON would
 * change or drop (a Date, Map, Set, RegExp, class instance, boxed primitive, typed array,
 * sparse or decorated array, Array subclass, symbol key, undefined in an array, NaN, `-0`, a
 * cycle) is refused, and so is an array as the whole field. The keys `constructor` and
 * `prototype` are kept as ordinary keys. `get` returns ordinary objects and arrays.
 *
 * Used in a schema, a value that breaks these rules makes `set`, `setMany` and `update` throw
 * `VaultError` `VALIDATION_FAILED` naming the path inside the field (e.g. `meta.list.2`).
 */
export function jsonObjectField(): JsonObjectSchema {
  return readsBackAs(jsonObjectSchema<JsonObject>(), rereadJson);
}
