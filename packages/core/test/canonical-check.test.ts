import { describe, expect, it } from 'vitest';
import { canonicalJson, isCanonicalJson } from '../src/format/canonical-json.js';

/** A deterministic pseudo-random source, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const PIECES = [
  'a',
  'b',
  'Z',
  '0',
  '10',
  '9',
  '"',
  '\\',
  '\n',
  '\u0000',
  '\u001f',
  'é',
  '€',
  '\ud83d\ude00',
  '\ud800',
  '\udc00',
  ' ',
  '~',
  '.',
];

function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 2 ? 5 : 7));
  const str = () =>
    Array.from({ length: Math.floor(next() * 4) }, () => PIECES[Math.floor(next() * PIECES.length)]).join('');
  switch (pick) {
    case 0:
      return str();
    case 1:
      return [0, -0, 1, -1.5, 1e21, 1e-7, 3600, 2 ** 53 + 1, 0.1][Math.floor(next() * 9)];
    case 2:
      return [true, false, null][Math.floor(next() * 3)];
    case 3:
      return str();
    case 4:
      return Math.floor(next() * 1000);
    case 5:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(next() * 5) }, () => [str(), randomValue(next, depth + 1)]),
      );
  }
}

/** Texts that parse to the same value but are not canonical, and texts one edit away. */
function variants(text: string, next: () => number): string[] {
  const at = Math.floor(next() * (text.length + 1));
  return [
    text,
    ` ${text}`,
    `${text} `,
    `${text.slice(0, at)} ${text.slice(at)}`,
    text.replace(/"([^"\\]*)":/, '"$1":'),
    text.replace(/,/, ', '),
    text.replace(/:(\d+)/, ':$1.0'),
    text.replace(/"a/, '"\\u0061'),
    text.replace(/é/, '\\u00e9'),
    text.replace(/\\n/, '\\u000a'),
    text.replace(/\\u0000/, '\\u0000'.toUpperCase()),
    text.replace(/\\ud800/, '\\uD800'),
    text.replace(/^\{("[^"]*":[^,{}[\]]*),("[^"]*":[^,{}[\]]*)/, '{$2,$1'),
    text.replace(/^\{("[^"]*":[^,{}[\]]*)/, '{$1,$1'),
    text.slice(0, -1),
  ];
}

describe('isCanonicalJson', () => {
  it('agrees with canonicalJson(value) === text on random values and near-miss texts', () => {
    const next = rng(20261123);
    let refused = 0;
    for (let n = 0; n < 3000; n++) {
      const value = randomValue(next, 0);
      const canonical = canonicalJson(value);
      for (const text of variants(canonical, next)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          continue;
        }
        const expected = canonicalJson(parsed) === text;
        if (!expected) refused += 1;
        expect([text, isCanonicalJson(parsed, text)]).toEqual([text, expected]);
      }
    }
    expect(refused).toBeGreaterThan(1000); // the near misses did reach the check
  });

  it.each([
    ['{"a":1}', true],
    ['{"b":1,"a":2}', false],
    ['{"10":1,"9":2}', true], // UTF-16 order, not Object.keys' integer-first order
    ['{"9":2,"10":1}', false],
    ['{"a":1,"a":1}', false],
    ['{"a":"\\u0063"}', false],
    ['{"a":"\\ud800"}', true],
    ['{"a":"\ud83d\ude00"}', true],
    ['{"a":1e400}', false],
    ['{"a":-0}', false],
    ['{"a":[1,{"b":null}]}', true],
    ['{"a":[1, 2]}', false],
    ['{}', true],
  ])('%s → %s', (text, canonical) => {
    expect(isCanonicalJson(JSON.parse(text), text)).toBe(canonical);
    expect(canonicalJson(JSON.parse(text)) === text).toBe(canonical);
  });
});

describe('canonicalJson of strings', () => {
  it('writes every string as JSON.stringify does, escapes and surrogates included', () => {
    const next = rng(20261203);
    const specials = ['"', '\\', '\u0000', '\u0008', '\u001f', '\u007f', '\u2028', '\ud800', '\udfff', '\ud83d\ude00'];
    for (let n = 0; n < 5000; n++) {
      const text = Array.from({ length: Math.floor(next() * 40) }, () =>
        next() < 0.2
          ? (specials[Math.floor(next() * specials.length)] as string)
          : String.fromCharCode(Math.floor(next() * 0x10000)),
      ).join('');
      expect(canonicalJson(text)).toBe(JSON.stringify(text));
      expect(canonicalJson({ [text]: text })).toBe(`{${JSON.stringify(text)}:${JSON.stringify(text)}}`);
    }
  });
});
