import { isoString } from './iso-dates.js';

/**
 * Canonical JSON (RFC 8785 style): object keys sorted by UTF-16 code units, no white space,
 * ECMAScript number and string serialization, Dates as `toISOString()`, `undefined`
 * properties left out. The same value always gives the same text.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return `"${isoString(value.getTime())}"`;
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  const record = value as Record<string, unknown>;
  let out = '';
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item !== undefined) out += `${out === '' ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `{${out}}`;
}

/**
 * Whether `text` is exactly `canonicalJson(value)`, for a value `JSON.parse` returned: the
 * strict reader's check on every open. When every object's keys already come in canonical
 * order (as they do in the value parsed from canonical text), the canonical text is what
 * native `JSON.stringify` writes, which is 2-3x faster than building it key by key; any other
 * value (keys out of order, e.g. integer-like keys, which objects list first) takes
 * {@link canonicalJson}. Either way the comparison is the same.
 */
export function isCanonicalJson(value: unknown, text: string): boolean {
  return (inCanonicalOrder(value) ? JSON.stringify(value) : canonicalJson(value)) === text;
}

/** Whether every object in `value` lists its own keys sorted by UTF-16 code units. */
function inCanonicalOrder(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(inCanonicalOrder);
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && (keys[i - 1] as string) >= (keys[i] as string)) return false;
    if (!inCanonicalOrder((value as Record<string, unknown>)[keys[i] as string])) return false;
  }
  return true;
}
