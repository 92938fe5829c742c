import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import { clusterKey, clusterScan, logicalKey } from '../src/hash-tags.js';

describe('cluster keys and hash tags', () => {
  it('leaves every key without a hash tag byte for byte as it is', () => {
    for (const key of [
      'ns:plain',
      'ns:a:b/c d',
      'ns:a{b',
      'ns:a}b{',
      'ns:{}x',
      'ns:{}{x}',
      '~lease:ns:refresh:id',
      'ns:é',
    ]) {
      expect(clusterKey(key)).toBe(key);
      expect(logicalKey(key)).toBe(key);
    }
  });

  it('puts its own tag before the first `{` of a key with a hash tag, and reads it back', () => {
    const key = 'ns:{same}-1';
    const redisKey = clusterKey(key);
    expect(redisKey).toMatch(/^ns:\{[0-9a-f]{8}\}\{same\}-1$/);
    expect(logicalKey(redisKey)).toBe(key);
    for (const k of [
      'ns:a{b}',
      'ns:{x}{y}',
      'ns:{{}}',
      'ns:{a}}',
      `ns:${redisKey.slice(3)}`,
      '~lease:ns:refresh:{id}',
    ]) {
      expect(logicalKey(clusterKey(k))).toBe(k);
      expect(clusterKey(k).startsWith(k.slice(0, k.indexOf('{')))).toBe(true); // prefixes are kept
    }
    expect(logicalKey('ns:{12345678}{same}-1')).toBe('ns:{12345678}{same}-1'); // not its tag: an old key
  });

  it('spreads 100 ids that share a tag over the slots', () => {
    const keys = Array.from({ length: 100 }, (_, n) => `ns:{same}-${n}`);
    expect(new Set(keys.map((key) => calculateSlot(key))).size).toBe(1); // what the id alone would do
    const slots = new Set(keys.map((key) => calculateSlot(clusterKey(key))));
    expect(slots.size).toBeGreaterThan(90);
    expect(new Set(keys.map(clusterKey)).size).toBe(100);
  });

  it('scans a prefix with a `{` from before it, checking each key read back', () => {
    expect(clusterScan('ns:')).toEqual({ match: 'ns:*', check: false });
    expect(clusterScan('ns:{a')).toEqual({ match: 'ns:*', check: true });
  });
});
