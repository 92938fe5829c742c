import { describe, expect, it } from 'vitest';
import { SeenKeys } from '../src/seen-keys.js';

const SEED = 0x811c9dc5 | 0;

/** FNV-1a from `seed` over ASCII bytes, as SeenKeys hashes an ASCII key past its prefix (before its final mix). */
function fnv(text: string, seed = SEED): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}

/** SeenKeys's hash of an ASCII key past its prefix under `seed`: FNV-1a, then MurmurHash3's final mix. */
function seenHash(text: string, seed: number): number {
  let h = fnv(text, seed);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

describe('SeenKeys', () => {
  it('adds a key once', () => {
    const seen = new SeenKeys('cv:ns:');
    expect(seen.add('cv:ns:rec:a')).toBe(true);
    expect(seen.add('cv:ns:rec:b')).toBe(true);
    expect(seen.add('cv:ns:rec:a')).toBe(false);
    expect(seen.size).toBe(2);
  });

  it('agrees with a Set over 200,000 keys with repeats, through every growth', () => {
    const seen = new SeenKeys('cv:ns:rec:');
    const reference = new Set<string>();
    const wrong: string[] = [];
    let state = 7;
    for (let i = 0; i < 200_000; i++) {
      state = Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + i;
      const key = `cv:ns:rec:${(state >>> 0) % 150_000}`;
      if (seen.add(key) === reference.has(key)) wrong.push(key);
      reference.add(key);
    }
    expect(wrong).toEqual([]);
    expect(seen.size).toBe(reference.size);
    expect(reference.size).toBeGreaterThan(100_000); // repeats, and most of the range
  });

  // The pair collides under the FNV-1a SeenKeys uses with this seed (fnv above; its final mix is a
  // bijection, so the pair collides after it too); if that hash ever changes, this test must find
  // its pair with the new one.
  it('tells apart different keys with the same 32-bit hash', () => {
    const byHash = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; pair === undefined; i++) {
      const id = `id-${i}`;
      const other = byHash.get(fnv(id));
      if (other !== undefined) pair = [other, id];
      byHash.set(fnv(id), id);
    }
    const seen = new SeenKeys('p:', SEED);
    expect(seen.add(`p:${pair[0]}`)).toBe(true);
    expect(seen.add(`p:${pair[1]}`)).toBe(true);
    expect(seen.add(`p:${pair[1]}`)).toBe(false);
  });

  it('hashes with a seed of its own: keys chosen to share slots under one seed do not under its own', () => {
    // 1,500 ids whose hash under SEED ends in the same 12 bits: at most 4,096 slots, all on one.
    const flood: string[] = [];
    for (let i = 0; flood.length < 1500; i++) if ((seenHash(`x${i}`, SEED) & 4095) === 0) flood.push(`x${i}`);
    const known = new SeenKeys('p:', SEED);
    for (const id of flood) known.add(`p:${id}`);
    expect(known.probes).toBeGreaterThan(1_000_000); // n²/2: what a fixed seed lets anyone cause
    const own = new SeenKeys('p:');
    for (const id of flood) expect(own.add(`p:${id}`)).toBe(true);
    expect(own.probes).toBeLessThan(15_000); // about one per key at most half full
    expect(own.size).toBe(1500);
  });

  it('keeps keys outside the prefix, non-ASCII keys and lone surrogates exact', () => {
    const seen = new SeenKeys('p:');
    const keys = [
      'p:a',
      'a', // outside the prefix: not the same as 'p:a'
      'p:\u0100', // UTF-16LE 00 01: not the same as the ASCII key below
      'p:\u0000\u0001',
      'p:\ud800', // lone surrogates: a UTF-8 encoder would turn both into U+FFFD
      'p:\udbff',
      'p:\ufffd',
      'p:é',
      'q:é',
      '',
      'p:',
      'q:ü', // whole and UTF-16: not the same as the stripped UTF-16 key below
      'p:q:ü',
      'ab', // whole and ASCII: not the same as the stripped UTF-16 key below
      'p:\u6261',
      'p:aé', // ASCII, then not
    ];
    for (const key of keys) expect(seen.add(key), JSON.stringify(key)).toBe(true);
    for (const key of keys) expect(seen.add(key), JSON.stringify(key)).toBe(false);
    expect(seen.size).toBe(keys.length);
  });

  it('keeps the empty key and others exact under the default prefix', () => {
    const seen = new SeenKeys();
    for (const key of ['', 'a', 'é', '\u0000']) expect(seen.add(key), JSON.stringify(key)).toBe(true);
    expect(seen.add('')).toBe(false);
    expect(seen.size).toBe(4);
  });

  it('takes a key far longer than its first buffer', () => {
    const seen = new SeenKeys();
    const long = `k${'x'.repeat(100_000)}`;
    expect(seen.add(long)).toBe(true);
    expect(seen.add(`${long}y`)).toBe(true);
    expect(seen.add(long)).toBe(false);
  });
});
