import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  nativeXChaCha,
  openFramed,
  pureXChaCha,
  sealFramed,
  wasmXChaCha,
  type XChaCha20Poly1305,
} from '../src/crypto/aead.js';

// Read from a checkout of the Wycheproof vectors, never copied into the repository (the file has
// its own licence): WYCHEPROOF_DIR, or the shared one of this workplace.
const WYCHEPROOF = join(process.env.WYCHEPROOF_DIR ?? '/work/shared/wycheproof', 'xchacha20_poly1305_test.json');
const present = existsSync(WYCHEPROOF);
// Any non-empty CI counts as CI, as packages/test-suite/src/redis-server.ts decides.
if (!present && process.env.CI) throw new Error(`Wycheproof vectors not found at ${WYCHEPROOF} (set WYCHEPROOF_DIR)`);
if (!present) console.warn(`\n*** SKIPPING the Wycheproof tests: ${WYCHEPROOF} not found (set WYCHEPROOF_DIR) ***\n`);

interface WycheproofTest {
  tcId: number;
  comment: string;
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface WycheproofFile {
  numberOfTests: number;
  testGroups: { ivSize: number; keySize: number; tagSize: number; tests: WycheproofTest[] }[];
}

const file: WycheproofFile = present
  ? (JSON.parse(readFileSync(WYCHEPROOF, 'utf8')) as WycheproofFile)
  : { numberOfTests: 0, testGroups: [] };
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
const hex = (value: Uint8Array) => Buffer.from(value).toString('hex');
const paths = [(await wasmXChaCha) as XChaCha20Poly1305, nativeXChaCha as XChaCha20Poly1305, pureXChaCha];
const all = file.testGroups.flatMap((group) => group.tests.map((test) => ({ ...test, ivSize: group.ivSize })));

/** What a call threw, as `constructor: message`, or `returned` when it did not throw. */
function thrown(call: () => unknown): string {
  try {
    call();
    return 'returned';
  } catch (error) {
    return `${(error as Error).constructor.name}: ${(error as Error).message}`;
  }
}

describe.skipIf(!present)(
  `Wycheproof XChaCha20-Poly1305 (${file.numberOfTests} tests) on the WebAssembly, the native and the pure path`,
  () => {
    it('has the tests the rest of this file relies on', () => {
      expect(all).toHaveLength(file.numberOfTests);
      expect(all.filter((t) => t.ivSize === 192 && t.result === 'valid').length).toBeGreaterThan(200);
      expect(all.filter((t) => t.ivSize !== 192).length).toBeGreaterThanOrEqual(9);
    });

    it.each(paths)('$name: seals every valid 24-byte-nonce test to its ciphertext and tag, and opens it', (impl) => {
      for (const t of all.filter((test) => test.ivSize === 192 && test.result === 'valid')) {
        const msg = bytes(t.msg);
        const out = new Uint8Array(msg.length + 16);
        impl.seal(bytes(t.key), bytes(t.iv), msg, bytes(t.aad), out, 0);
        expect(hex(out), `tcId ${t.tcId}`).toBe(t.ct + t.tag);
        expect(hex(impl.open(bytes(t.key), bytes(t.iv), bytes(t.ct + t.tag), bytes(t.aad))), `tcId ${t.tcId}`).toBe(
          t.msg,
        );
        expect(impl.verify(bytes(t.key), bytes(t.iv), bytes(t.ct + t.tag), bytes(t.aad)), `tcId ${t.tcId}`).toBe(true);
      }
    });

    it.each(paths)('$name: refuses every invalid 24-byte-nonce test', (impl) => {
      const invalid = all.filter((test) => test.ivSize === 192 && test.result === 'invalid');
      expect(invalid.length).toBeGreaterThan(0);
      for (const t of invalid) {
        expect(
          () => impl.open(bytes(t.key), bytes(t.iv), bytes(t.ct + t.tag), bytes(t.aad)),
          `tcId ${t.tcId}`,
        ).toThrow();
        expect(impl.verify(bytes(t.key), bytes(t.iv), bytes(t.ct + t.tag), bytes(t.aad)), `tcId ${t.tcId}`).toBe(false);
      }
    });

    it('every path refuses every nonce of another length with the same RangeError, on seal and open', () => {
      for (const t of all.filter((test) => test.ivSize !== 192)) {
        const [key, nonce, msg, aad] = [bytes(t.key), bytes(t.iv), bytes(t.msg), bytes(t.aad)];
        const seals = paths.map((impl) =>
          thrown(() => impl.seal(key, nonce, msg, aad, new Uint8Array(msg.length + 16), 0)),
        );
        const opens = paths.map((impl) => thrown(() => impl.open(key, nonce, bytes(t.ct + t.tag), aad)));
        for (const outcome of [...seals, ...opens]) {
          expect(outcome, `tcId ${t.tcId}, ${t.ivSize}-bit nonce`).toBe(
            'RangeError: XChaCha20-Poly1305 nonce must be 24 bytes',
          );
        }
      }
    });
  },
);

describe.skipIf(!present)('wrong key lengths', () => {
  const t = all.find((test) => test.ivSize === 192 && test.result === 'valid') ?? ({} as WycheproofTest);
  const none = new Uint8Array();
  const [key, nonce, msg, aad] = present
    ? [bytes(t.key), bytes(t.iv), bytes(t.msg), bytes(t.aad)]
    : [none, none, none, none];

  it.each([0, 16, 24, 31, 33, 64])(
    'every path refuses a %i-byte key with the same RangeError, on seal and open',
    (length) => {
      const short = new Uint8Array(length).map((_, i) => key[i % 32] as number);
      const outcomes = paths.flatMap((impl) => [
        thrown(() => impl.seal(short, nonce, msg, aad, new Uint8Array(msg.length + 16), 0)),
        thrown(() => impl.open(short, nonce, bytes(t.ct + t.tag), aad)),
      ]);
      expect(new Set(outcomes)).toEqual(new Set(['RangeError: XChaCha20-Poly1305 key must be 32 bytes']));
    },
  );

  it('the framing refuses them too, and never answers "does not authenticate" instead', () => {
    const framed = sealFramed(key, nonce, msg, aad);
    expect(hex(openFramed(key, framed, aad) as Uint8Array)).toBe(t.msg);
    expect(thrown(() => sealFramed(key.subarray(0, 31), nonce, msg, aad))).toMatch(/^RangeError: .*key must be 32/);
    expect(thrown(() => sealFramed(key, nonce.subarray(0, 12), msg, aad))).toMatch(/^RangeError: .*nonce must be 24/);
    expect(thrown(() => openFramed(new Uint8Array(33), framed, aad))).toMatch(/^RangeError: .*key must be 32/);
  });
});
