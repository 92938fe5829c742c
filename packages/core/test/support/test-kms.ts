import type { KeyEncryptionKeys } from '@credvault/core';
import { openFramed, sealFramed } from '../../src/crypto/aead.js';
import { randomBytes } from '../../src/crypto/bytes.js';
import { VaultError } from '../../src/errors/vault-error.js';

const MAGIC = [0x74, 0x6b, 0x6d, 0x73]; // "tkms"

/**
 * How the test KMS wraps: `"tkms" ‖ u8(len(kid)) ‖ kid ‖ nonce(24) ‖ XChaCha20-Poly1305(kek, nonce,
 * dek, context)`, so its wrapped keys are `4 + 1 + len(kid) + 24 + 32 + 16` bytes, never the
 * local keyring's 72. Deterministic given the nonce, for known-answer vectors.
 */
export function testKmsWrap(kid: string, kek: Uint8Array, nonce: Uint8Array, dek: Uint8Array, context: Uint8Array) {
  const label = new TextEncoder().encode(kid);
  const body = sealFramed(kek, nonce, dek, context);
  return Uint8Array.from([...MAGIC, label.length, ...label, ...body]);
}

/** Options of {@link testKms}. */
export interface TestKmsOptions {
  /** Nonces to wrap with, in order (known-answer vectors); fresh random ones after. */
  readonly nonces?: Uint8Array[];
  /** Misbehave: truncate or pad every unwrapped data key to this length. */
  readonly unwrapLength?: number;
}

/**
 * A keyring in the shape of a remote KMS: every call is asynchronous (answered on a later
 * turn of the event loop) and its wrapped keys have a layout and length of its own. It counts
 * its calls. Not a mock of any backend: a second, independent `KeyEncryptionKeys`.
 */
export function testKms(
  keys: readonly { kid: string; key: Uint8Array }[],
  options: TestKmsOptions = {},
): KeyEncryptionKeys & { calls: { wrap: number; unwrap: number } } {
  const byKid = new Map(keys.map(({ kid, key }) => [kid, key]));
  const nonces = [...(options.nonces ?? [])];
  const calls = { wrap: 0, unwrap: 0 };
  const later = () => new Promise((resolve) => setTimeout(resolve, 0));
  const kek = (kid: string) => {
    const key = byKid.get(kid);
    if (key === undefined) throw new VaultError('UNKNOWN_KEY', `the test KMS holds no key "${kid}"`);
    return key;
  };
  return {
    primaryKid: keys[0]?.kid as string,
    kids: keys.map(({ kid }) => kid),
    calls,
    has: (kid) => byKid.has(kid),
    async wrap(kid, dek, context) {
      calls.wrap += 1;
      await later();
      return testKmsWrap(kid, kek(kid), nonces.shift() ?? randomBytes(24), dek, context);
    },
    async unwrap(kid, wrapped, context) {
      calls.unwrap += 1;
      await later();
      const label = new TextEncoder().encode(kid);
      const head = [...MAGIC, label.length, ...label];
      if (wrapped.length < head.length || head.some((byte, i) => wrapped[i] !== byte)) {
        throw new VaultError('DECRYPT_FAILED', 'not a test KMS wrapped key for this kid');
      }
      const dek = openFramed(kek(kid), wrapped.subarray(head.length), context);
      if (dek === undefined) throw new VaultError('DECRYPT_FAILED', 'the wrapped key does not authenticate');
      if (options.unwrapLength === undefined) return dek;
      const out = new Uint8Array(options.unwrapLength);
      out.set(dek.subarray(0, options.unwrapLength));
      return out;
    },
  };
}
