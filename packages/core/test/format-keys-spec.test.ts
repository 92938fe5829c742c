import { readFileSync } from 'node:fs';
import { generateKey, masterKeyContext, type RemoteKey, unwrapKeyring, wrapKeyEntry } from '@credvault/core';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { describe, expect, it } from 'vitest';
import { wrapContext } from '../src/format/envelope.js';
import { webCryptoKey } from './support/web-crypto-key.js';

type Vector = Record<'kid' | 'namespace' | 'id' | 'kek' | 'dek' | 'wrapNonce' | 'wrapAad' | 'wrappedKey', string> & {
  keyring?: string;
};
const vectors = JSON.parse(readFileSync(new URL('./vectors/cv1.json', import.meta.url), 'utf8')) as {
  vectors: Vector[];
};

/** FORMAT.md's byte notation, built here by hand rather than with the library's `frame`. */
const utf8 = (text: string) => new TextEncoder().encode(text);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const fromHex = (text: string) => Uint8Array.from(Buffer.from(text, 'hex'));
const u32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((part) => [...part]));
const lp = (text: string) => concat(u32(utf8(text).length), utf8(text));

describe('FORMAT.md: wrapped keys, master key context, wrapContext', () => {
  it("reproduces vector 6's wrapped key from the layout FORMAT.md gives", () => {
    const v = vectors.vectors.find((vector) => vector.keyring === 'test-kms') as Vector;
    const wrapAad = concat(utf8('credvault/cv1/wrap'), Uint8Array.of(0), lp(v.kid), lp(v.namespace), lp(v.id));
    expect(hex(wrapAad)).toBe(v.wrapAad);
    const nonce = fromHex(v.wrapNonce);
    const sealed = xchacha20poly1305(fromHex(v.kek), nonce, wrapAad).encrypt(fromHex(v.dek));
    const kid = utf8(v.kid);
    const wrapped = concat(utf8('tkms'), Uint8Array.of(kid.length), kid, nonce, sealed);
    expect(wrapped.length).toBe(82);
    expect(hex(wrapped)).toBe(v.wrappedKey);
  });

  it('binds a master key wrap to "credvault/master-key" ‖ 0x00 ‖ lp(kid), as in the example', () => {
    const example = '637265647661756c742f6d61737465722d6b6579' + '00' + '00000002' + '6b31';
    expect(hex(masterKeyContext('k1'))).toBe(example);
    expect(masterKeyContext('k1')).toEqual(concat(utf8('credvault/master-key'), Uint8Array.of(0), lp('k1')));
  });

  it('wrapContext is wrapAad with the kid given, a tenant kid included', () => {
    const kid = `~${'A'.repeat(22)}`;
    expect(wrapContext(kid, 'ns', 'id:é')).toEqual(
      concat(utf8('credvault/cv1/wrap'), Uint8Array.of(0), lp(kid), lp('ns'), lp('id:é')),
    );
  });

  it('opens a wrapped entry as FORMAT.md says: the provider decrypts under masterKeyContext(kid), 32 bytes', async () => {
    const remote = await webCryptoKey();
    const key = generateKey();
    const { wrapped } = await wrapKeyEntry('k1', key, remote);
    const byHand = concat(utf8('credvault/master-key'), Uint8Array.of(0), lp('k1'));
    expect(await remote.decrypt(wrapped, byHand)).toEqual(key); // what another implementation does
    expect((await unwrapKeyring([{ kid: 'k1', wrapped }], remote)).kids).toEqual(['k1']);
    // Given another kid it does not decrypt; a provider answering 31 bytes is not a key.
    await expect(unwrapKeyring([{ kid: 'k2', wrapped }], remote)).rejects.toMatchObject({ code: 'INVALID_KEYRING' });
    const short: RemoteKey = { name: 'short', encrypt: remote.encrypt, decrypt: async () => new Uint8Array(31) };
    await expect(unwrapKeyring([{ kid: 'k1', wrapped }], short)).rejects.toMatchObject({ code: 'INVALID_KEYRING' });
  });
});
