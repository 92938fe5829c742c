import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isoString, isoTime } from '../src/format/iso-dates.js';

const MIN = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const MAX = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const edges = [
  MIN,
  MAX,
  0,
  -1,
  1,
  Date.UTC(2000, 1, 29, 23, 59, 59, 999),
  Date.UTC(1900, 1, 28),
  Date.UTC(1900, 2, 1),
  Date.UTC(2024, 1, 29, 12),
  Date.UTC(2100, 2, 1),
  Date.UTC(1969, 11, 31, 23, 59, 59, 999),
  -62_135_596_800_000, // 0001-01-01
];
const randomTime = () => (randomInt(0, 2 ** 47) * (MAX - MIN)) / 2 ** 47 + MIN;
/** What the built-ins say: the time of `text` if `toISOString` gives it back exactly. */
const builtin = (text: string) => {
  const date = new Date(text);
  return !Number.isNaN(date.getTime()) && date.toISOString() === text ? date.getTime() : undefined;
};

describe('isoString and isoTime', () => {
  it('write what toISOString writes and read it back, on edges and 20,000 random times in years 0000-9999', () => {
    for (const time of [...edges, ...Array.from({ length: 20_000 }, () => Math.floor(randomTime()))]) {
      const text = new Date(time).toISOString();
      expect(isoString(time)).toBe(text);
      expect(isoTime(text)).toBe(time);
    }
  });

  it('agree with toISOString outside the four-digit years, and throw the same RangeError for an invalid time', () => {
    for (const time of [MIN - 1, MAX + 1, 8.64e15, -8.64e15])
      expect(isoString(time)).toBe(new Date(time).toISOString());
    expect(() => isoString(Number.NaN)).toThrow(RangeError);
  });

  it('read nothing but the exact form: the same answer as a toISOString round trip on 20,000 near misses', () => {
    const texts = [
      '2024-02-30T00:00:00.000Z',
      '2023-02-29T00:00:00.000Z',
      '2024-13-01T00:00:00.000Z',
      '2024-00-10T00:00:00.000Z',
      '2024-01-00T00:00:00.000Z',
      '2024-01-01T24:00:00.000Z',
      '2024-01-01T00:60:00.000Z',
      '2024-01-01T00:00:60.000Z',
      '2024-01-01T00:00:00.000z',
      '2024-01-01T00:00:00Z',
      '2024-01-01T00:00:00.0000Z',
      '2024-01-01 00:00:00.000Z',
      '+02024-01-01T00:00:00.000Z',
      '2024-01-01T00:00:00.000+00:00',
      '２０２４-01-01T00:00:00.000Z',
    ];
    const alphabet = '0123456789-:.TZ +z';
    for (let i = 0; i < 20_000; i++) {
      const chars = new Date(Math.floor(randomTime())).toISOString().split('');
      chars[randomInt(0, 24)] = alphabet[randomInt(0, alphabet.length)] as string;
      texts.push(chars.join(''));
    }
    for (const text of texts) expect(isoTime(text), text).toBe(builtin(text));
  });
});
