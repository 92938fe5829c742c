import { randomBytes } from 'node:crypto';
import { VaultError } from '@credvault/core';

/** First byte of an entry that is not an ASCII key past the prefix: 0x80 plus these flags. */
const FULL_KEY = 1; // the key does not start with the prefix: stored whole
const UTF16 = 2; // a code unit is not ASCII: stored as two bytes per code unit, little-endian

/**
 * An exact set of the keys a SCAN iteration has yielded, for dropping the ones SCAN returns
 * twice. It keeps each key's bytes past the shared prefix (two per character for a key that is not
 * ASCII) and 16 to 32 bytes of index in typed arrays, outside the V8 heap. A `Set` of the strings
 * kept them on the heap, and a rotation's peak grew with the record count (BENCHMARKS.md).
 *
 * Exact: two different keys never count as one (a skipped key would be a record a rotation
 * missed). ASCII keys past the prefix are stored as their bytes; any other key as a flag byte
 * (0x80 and up, which no ASCII entry starts with) and its ASCII bytes or UTF-16 code units.
 *
 * Keyed: each set hashes with a random seed of its own (FNV-1a from the seed, then a final mix),
 * so nobody who chooses record ids can choose ones that all land on the same slots and turn a
 * scan of n keys into n² comparisons.
 */
export class SeenKeys {
  readonly #prefix: string;
  readonly #seed: number;
  #bytes = new Uint8Array(1 << 12);
  #used = 0;
  /** Entry i's bytes end at ends[i] and start where entry i - 1's bytes end. */
  #ends = new Uint32Array(256);
  #hashes = new Int32Array(256);
  #size = 0;
  /** Entry index + 1 (0: empty), open addressing; a power of two, at most half full. */
  #slots = new Uint32Array(512);
  #probes = 0;

  /**
   * @param prefix - what the keys share (the SCAN's MATCH prefix); any key is still exact.
   * @param seed - the hash's seed (an int32); random unless a test needs to know it.
   */
  constructor(prefix = '', seed: number = randomBytes(4).readInt32LE(0)) {
    this.#prefix = prefix;
    this.#seed = seed | 0;
  }

  /** How many occupied slots the additions so far stepped over: about one per key, unless keys collide. */
  get probes(): number {
    return this.#probes;
  }

  /** How many keys the set holds. */
  get size(): number {
    return this.#size;
  }

  /** Adds `key`; whether it was not in the set before. */
  add(key: string): boolean {
    const start = this.#used;
    const end = this.#write(key, start);
    let hash = this.#seed; // FNV-1a over the entry's bytes from the seed, as an int32 like #hashes
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ (this.#bytes[i] as number), 0x01000193);
    hash = mix(hash);
    const mask = this.#slots.length - 1;
    let slot = hash & mask;
    for (let entry = this.#slots[slot] as number; entry !== 0; entry = this.#slots[slot] as number) {
      if (this.#hashes[entry - 1] === hash && this.#equals(entry - 1, start, end)) return false;
      slot = (slot + 1) & mask;
      this.#probes += 1;
    }
    if (this.#size === this.#ends.length) {
      this.#ends = grown(this.#ends, this.#size * 2);
      this.#hashes = grown(this.#hashes, this.#size * 2);
    }
    this.#ends[this.#size] = end;
    this.#hashes[this.#size] = hash;
    this.#size += 1;
    this.#slots[slot] = this.#size;
    this.#used = end;
    if (this.#size * 2 > this.#slots.length) this.#rehash();
    return true;
  }

  /** Writes `key`'s entry bytes at `start`; returns where they end. */
  #write(key: string, start: number): number {
    const strip = key.startsWith(this.#prefix);
    const from = strip ? this.#prefix.length : 0;
    let ascii = true;
    for (let i = from; i < key.length && ascii; i++) ascii = key.charCodeAt(i) < 0x80;
    const flags = (strip ? 0 : FULL_KEY) | (ascii ? 0 : UTF16);
    const need = start + 1 + (key.length - from) * 2;
    if (need > 0xffffffff) {
      // #ends is a Uint32Array: past 4 GiB an entry's end would wrap, and two keys could count as one
      throw new VaultError('UNSUPPORTED', 'an iteration can remember at most 4 GiB of keys');
    }
    if (need > this.#bytes.length) this.#bytes = grown(this.#bytes, Math.max(need, this.#bytes.length * 2));
    const bytes = this.#bytes;
    let at = start;
    if (flags !== 0) bytes[at++] = 0x80 | flags;
    for (let i = from; i < key.length; i++) {
      const unit = key.charCodeAt(i);
      bytes[at++] = unit & 0xff;
      if (!ascii) bytes[at++] = unit >>> 8;
    }
    return at;
  }

  #equals(entry: number, start: number, end: number): boolean {
    const from = entry === 0 ? 0 : (this.#ends[entry - 1] as number);
    if ((this.#ends[entry] as number) - from !== end - start) return false;
    for (let i = 0; i < end - start; i++) if (this.#bytes[from + i] !== this.#bytes[start + i]) return false;
    return true;
  }

  #rehash(): void {
    const slots = new Uint32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    for (let i = 0; i < this.#size; i++) {
      let slot = (this.#hashes[i] as number) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = i + 1;
    }
    this.#slots = slots;
  }
}

/** MurmurHash3's final mix: every bit of the input moves the slot bits (the low ones). */
function mix(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function grown<T extends Uint8Array | Uint32Array | Int32Array>(array: T, length: number): T {
  const next = new (array.constructor as new (n: number) => T)(length);
  next.set(array);
  return next;
}
