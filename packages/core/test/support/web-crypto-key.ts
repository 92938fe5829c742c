import { type RemoteKey, VaultError } from '@credvault/core';

/**
 * A RemoteKey that does real AES-256-GCM through WebCrypto in this process (the context as
 * AAD), counting its calls; `fail` makes it act like an unreachable KMS. It stands in for a
 * KMS in core's own tests; the providers run the same contract against SoftHSM2 and a KMS server.
 */
export interface WebCryptoKey extends RemoteKey {
  readonly calls: { encrypt: number; decrypt: number };
  fail: string | undefined;
  closed: number;
}

export async function webCryptoKey(name = 'test:aes'): Promise<WebCryptoKey> {
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const self: WebCryptoKey = {
    name,
    calls: { encrypt: 0, decrypt: 0 },
    fail: undefined,
    closed: 0,
    async encrypt(plaintext, context) {
      self.calls.encrypt += 1;
      if (self.fail !== undefined) throw new Error(self.fail);
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = new Uint8Array(
        await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: context }, key, plaintext),
      );
      const out = new Uint8Array(12 + sealed.length);
      out.set(iv);
      out.set(sealed, 12);
      return out;
    },
    async decrypt(ciphertext, context) {
      self.calls.decrypt += 1;
      if (self.fail !== undefined) throw new Error(self.fail);
      try {
        const iv = ciphertext.slice(0, 12);
        return new Uint8Array(
          await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: context }, key, ciphertext.slice(12)),
        );
      } catch (cause) {
        throw new VaultError('DECRYPT_FAILED', `${name}: does not authenticate`, { cause });
      }
    },
    close() {
      self.closed += 1;
    },
  };
  return self;
}
