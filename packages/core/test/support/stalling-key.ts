import type { RemoteKey } from '@credvault/core';
import { type WebCryptoKey, webCryptoKey } from './web-crypto-key.js';

/**
 * A RemoteKey that does real AES-256-GCM (a {@link webCryptoKey}) but, while `stalled`, accepts
 * a call and never answers it: the promise it returns never settles, as with a KMS or HSM that
 * takes the connection and then hangs. `recover()` makes later calls answer again; the calls
 * already hung stay hung. It counts the calls it hung.
 */
export interface StallingKey extends RemoteKey {
  stalled: boolean;
  readonly hung: { count: number };
  readonly inner: WebCryptoKey;
}

export async function stallingKey(name = 'test:stalling'): Promise<StallingKey> {
  const inner = await webCryptoKey(name);
  const hang = <T>(): Promise<T> => {
    self.hung.count += 1;
    return new Promise<T>(() => {});
  };
  const self: StallingKey = {
    name,
    stalled: false,
    hung: { count: 0 },
    inner,
    encrypt: (plaintext, context) => (self.stalled ? hang() : inner.encrypt(plaintext, context)),
    decrypt: (ciphertext, context) => (self.stalled ? hang() : inner.decrypt(ciphertext, context)),
  };
  return self;
}
