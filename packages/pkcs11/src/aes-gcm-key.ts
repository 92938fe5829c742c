import { keyUnavailable, type RemoteKey, VaultError } from '@credvault/core';
import type { InvocationCounter } from './invocation-limit.js';
import { type LoadedModule, P, reasonOf } from './module.js';
import type { SessionPool } from './session-pool.js';

/** Layout tag of what this key's encrypt returns: `0x01 ‖ iv(12) ‖ AES-256-GCM ciphertext ‖ tag(16)`. */
const VERSION = 1;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;

/**
 * PKCS#11 answers to C_Decrypt for a ciphertext or tag that does not verify. SoftHSM2 says
 * CKR_GENERAL_ERROR for a bad GCM tag, so CKR_GENERAL_ERROR and CKR_FUNCTION_FAILED are read as
 * DECRYPT_FAILED on the decrypt path only (on some tokens an HSM fault then looks like a tampered
 * record: see the README); on encrypt every failure is KEY_UNAVAILABLE.
 */
const DECRYPT_NOT_AUTHENTIC =
  /^CKR_(ENCRYPTED_DATA_INVALID|ENCRYPTED_DATA_LEN_RANGE|GENERAL_ERROR|FUNCTION_FAILED|DATA_INVALID)/;

function mechanism(iv: Buffer, context: Uint8Array) {
  return {
    mechanism: P.CKM_AES_GCM,
    parameter: { type: P.CK_PARAMS_GCM, iv, ivBits: IV_LENGTH * 8, aad: Buffer.from(context), tagBits: TAG_LENGTH * 8 },
  };
}

/**
 * A {@link RemoteKey} over one AES-256 key in the token: CKM_AES_GCM with a fresh random
 * 96-bit IV per call and the context as associated data, each call on a session of its own.
 * Every encryption is first taken from `invocations`, which refuses once the key's limit is reached.
 */
export function aesGcmKey(
  name: string,
  module: LoadedModule,
  pool: SessionPool,
  handle: Buffer,
  invocations: InvocationCounter,
): RemoteKey {
  const { api } = module;
  return {
    name,
    async encrypt(plaintext, context) {
      invocations.take(); // KEY_UNAVAILABLE past the limit, before the token sees the data key
      const iv = Buffer.from(crypto.getRandomValues(new Uint8Array(IV_LENGTH)));
      try {
        const sealed = await pool.with(async (session) => {
          const data = Buffer.from(plaintext); // a copy of the data key: wiped once the token has it
          try {
            api.C_EncryptInit(session, mechanism(iv, context), handle);
            return await api.C_EncryptAsync(session, data, Buffer.alloc(plaintext.length + TAG_LENGTH + 16));
          } finally {
            data.fill(0);
          }
        });
        const out = new Uint8Array(1 + IV_LENGTH + sealed.length);
        out[0] = VERSION;
        out.set(iv, 1);
        out.set(sealed, 1 + IV_LENGTH);
        return out;
      } catch (error) {
        if (error instanceof VaultError) throw error; // the pool's KEY_UNAVAILABLE (closed), named already
        throw keyUnavailable(name, `encrypt failed (${reasonOf(error)})`, error);
      }
    },
    async decrypt(ciphertext, context) {
      if (ciphertext.length < 1 + IV_LENGTH + TAG_LENGTH + 1 || ciphertext[0] !== VERSION) {
        throw new VaultError('DECRYPT_FAILED', `${name}: not a wrapped key of this provider`);
      }
      const iv = Buffer.from(ciphertext.subarray(1, 1 + IV_LENGTH));
      const sealed = Buffer.from(ciphertext.subarray(1 + IV_LENGTH));
      const out = Buffer.alloc(sealed.length);
      try {
        const plain = await pool.with(async (session) => {
          api.C_DecryptInit(session, mechanism(iv, context), handle);
          return api.C_DecryptAsync(session, sealed, out);
        });
        return Uint8Array.from(plain);
      } catch (error) {
        if (error instanceof VaultError) throw error; // the pool's KEY_UNAVAILABLE (closed), named already
        const reason = reasonOf(error);
        if (DECRYPT_NOT_AUTHENTIC.test(reason)) {
          throw new VaultError('DECRYPT_FAILED', `${name}: the wrapped key does not authenticate (${reason})`);
        }
        throw keyUnavailable(name, `decrypt failed (${reason})`, error);
      } finally {
        out.fill(0);
      }
    },
    close() {
      pool.close();
    },
  };
}
