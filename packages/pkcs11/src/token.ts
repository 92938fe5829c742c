import { createHash, timingSafeEqual } from 'node:crypto';
import { keyUnavailable, type RemoteKey, VaultError } from '@credvault/core';
import { aesGcmKey } from './aes-gcm-key.js';
import {
  type GcmInvocationOptions,
  InvocationCounter,
  invocationLimit,
  processReserve,
  tokenReserve,
} from './invocation-limit.js';
import { acquireModule, type LoadedModule, P, reasonOf, releaseModule } from './module.js';
import { SessionPool } from './session-pool.js';

/** How to reach a PKCS#11 token. */
export interface Pkcs11Options {
  /** Path of the PKCS#11 library, e.g. `/usr/lib/softhsm/libsofthsm2.so`. */
  readonly module: string;
  /** Label of the token to use; default the first slot with a token. */
  readonly token?: string;
  /** The user PIN. */
  readonly pin: string;
  /** Most sessions open at once per key (concurrent operations). Default 4. */
  readonly maxSessions?: number;
  /**
   * How many AES-GCM encryptions each key may make, and where they are counted (default: at
   * most 2^32 per key, the NIST SP 800-38D bound for random IVs, counted on the token, warning
   * from half). See the README.
   */
  readonly gcmInvocations?: GcmInvocationOptions;
}

/** A token key by `CKA_LABEL` (a string) or by `CKA_ID`. */
export type KeyRef = string | { readonly id: Uint8Array };

/** An open, logged-in PKCS#11 token. */
export interface Pkcs11Token {
  /** `pkcs11:<token label>`, for messages. */
  readonly name: string;
  /**
   * The non-extractable AES-256 key labelled `label` (or with `CKA_ID` `id`, given as
   * `{ id: Uint8Array }`), as a {@link RemoteKey} (AES-GCM, the
   * context as associated data).
   * @throws VaultError `KEY_UNAVAILABLE` when there is no such key, more than one, or it is
   * not a non-extractable 32-byte AES key.
   */
  key(ref: KeyRef): Promise<RemoteKey>;
  /**
   * Creates a non-extractable, sensitive AES-256 key labelled `label` in the token, with
   * `CKA_ID` `id` when given, that can only encrypt and decrypt: every usage attribute is set
   * explicitly (WRAP, UNWRAP, SIGN, VERIFY, DERIVE false), and it is neither modifiable nor copyable.
   * @throws VaultError `INVALID_ARGUMENT` when a key with that label exists, `KEY_UNAVAILABLE`.
   */
  generateKey(label: string, id?: Uint8Array): Promise<void>;
  /** Logs out and unloads the module once nothing else in the process uses it. Idempotent. */
  close(): Promise<void>;
}

/**
 * Every attribute that says what the generated key may do, set explicitly rather than left to
 * the token's defaults (SoftHSM2 defaults WRAP, UNWRAP, SIGN and VERIFY to true): a persistent,
 * private, sensitive, non-extractable key that can only encrypt and decrypt, whose attributes
 * cannot be changed afterwards (CKA_MODIFIABLE false) and that cannot be copied (CKA_COPYABLE
 * false, PKCS#11 2.40). It stays destroyable, so an operator can delete it.
 */
const KEY_POLICY = [
  { type: P.CKA_TOKEN, value: true },
  { type: P.CKA_PRIVATE, value: true },
  { type: P.CKA_SENSITIVE, value: true },
  { type: P.CKA_EXTRACTABLE, value: false },
  { type: P.CKA_ENCRYPT, value: true },
  { type: P.CKA_DECRYPT, value: true },
  { type: P.CKA_WRAP, value: false },
  { type: P.CKA_UNWRAP, value: false },
  { type: P.CKA_SIGN, value: false },
  { type: P.CKA_VERIFY, value: false },
  { type: P.CKA_DERIVE, value: false },
  { type: P.CKA_MODIFIABLE, value: false },
  { type: P.CKA_COPYABLE, value: false },
] as const;

/** A CK_ULONG attribute value (4 or 8 bytes, little-endian on the platforms pkcs11js builds for). */
function ulong(value: Buffer | undefined): number {
  if (value === undefined || value.length === 0) return -1;
  return value.length === 8 ? Number(value.readBigUInt64LE()) : value.readUIntLE(0, Math.min(value.length, 6));
}

function findSlot(module: LoadedModule, token: string | undefined): Buffer {
  const slots = module.api.C_GetSlotList(true);
  for (const slot of slots) {
    if (token === undefined) return slot;
    if (module.api.C_GetTokenInfo(slot).label.trimEnd() === token) return slot;
  }
  throw new Error(token === undefined ? 'no token present' : `no token labelled "${token}"`);
}

function login(module: LoadedModule, slot: Buffer, pin: string): void {
  const id = slot.toString('hex');
  const pinDigest = createHash('sha256').update(pin, 'utf8').digest(); // the PIN itself is never kept
  const done = module.logins.get(id);
  if (done !== undefined) {
    // PKCS#11 login state belongs to the process: refuse a second PIN rather than ride on the first.
    if (!timingSafeEqual(done.pinDigest, pinDigest)) {
      throw new Error('CKR_PIN_INCORRECT (the token is logged in with another PIN)');
    }
    return;
  }
  const anchor = module.api.C_OpenSession(slot, P.CKF_SERIAL_SESSION);
  try {
    module.api.C_Login(anchor, P.CKU_USER, pin);
  } catch (error) {
    if (!reasonOf(error).startsWith('CKR_USER_ALREADY_LOGGED_IN')) {
      module.api.C_CloseSession(anchor);
      throw error;
    }
  }
  module.logins.set(id, { pinDigest, anchor });
}

function findKey(module: LoadedModule, session: Buffer, ref: KeyRef): Buffer[] {
  module.api.C_FindObjectsInit(session, [
    { type: P.CKA_CLASS, value: P.CKO_SECRET_KEY },
    typeof ref === 'string' ? { type: P.CKA_LABEL, value: ref } : { type: P.CKA_ID, value: Buffer.from(ref.id) },
  ]);
  try {
    return module.api.C_FindObjects(session, 2);
  } finally {
    module.api.C_FindObjectsFinal(session);
  }
}

/**
 * Opens a PKCS#11 token and logs in (once per process and token).
 * @throws VaultError `KEY_UNAVAILABLE` when the module cannot be loaded, the token is missing
 * or the PIN is wrong (the message says which, never the PIN); `INVALID_ARGUMENT` for bad
 * `gcmInvocations` options.
 * @example
 * ```ts
 * const hsm = await openPkcs11({ module: '/usr/lib/softhsm/libsofthsm2.so', token: 'credvault', pin })
 * const keys = cachedKeys(remoteKeys([{ kid: 'hsm1', remote: await hsm.key('credvault-kek') }]))
 * ```
 */
export async function openPkcs11(options: Pkcs11Options): Promise<Pkcs11Token> {
  const limit = invocationLimit(options.gcmInvocations);
  const module = acquireModule(options.module);
  const name = `pkcs11:${options.token ?? 'first token'}`;
  let slot: Buffer;
  try {
    slot = findSlot(module, options.token);
    login(module, slot, options.pin);
  } catch (error) {
    releaseModule(module);
    throw keyUnavailable(name, reasonOf(error), error);
  }
  const pools: SessionPool[] = [];
  let closed = false;
  const session = <T>(use: (session: Buffer) => T): T => {
    if (closed) throw keyUnavailable(name, 'the token is closed');
    const opened = module.api.C_OpenSession(slot, P.CKF_SERIAL_SESSION | P.CKF_RW_SESSION);
    try {
      return use(opened);
    } finally {
      module.api.C_CloseSession(opened);
    }
  };
  return {
    name,
    async key(ref) {
      const keyName = `${name}/${typeof ref === 'string' ? ref : `id=${Buffer.from(ref.id).toString('hex')}`}`;
      const { handle, counterLabel } = session((s) => {
        const found = findKey(module, s, ref);
        if (found.length !== 1) {
          throw keyUnavailable(keyName, found.length === 0 ? 'no such secret key' : 'several keys match');
        }
        const handle = found[0] as Buffer;
        const [type, length, extractable, label, id] = module.api.C_GetAttributeValue(s, handle, [
          { type: P.CKA_KEY_TYPE },
          { type: P.CKA_VALUE_LEN },
          { type: P.CKA_EXTRACTABLE },
          { type: P.CKA_LABEL },
          { type: P.CKA_ID },
        ]);
        if (ulong(type?.value) !== P.CKK_AES || ulong(length?.value) !== 32) {
          throw keyUnavailable(keyName, 'not an AES-256 key');
        }
        if (extractable?.value[0] !== 0)
          throw keyUnavailable(keyName, 'the key is extractable; use a non-extractable key');
        // the key's own label and id, however it was found: by label or by id, one count
        const counterLabel = `credvault:aes-gcm-invocations:label=${label?.value.toString('utf8') ?? ''}:id=${id?.value.toString('hex') ?? ''}`;
        return { handle, counterLabel };
      });
      const reserve =
        limit.store === 'token'
          ? tokenReserve(module, session, counterLabel, keyName)
          : processReserve(`${module.path}|${slot.toString('hex')}|${counterLabel}`);
      const pool = new SessionPool(module, slot, options.maxSessions ?? 4, keyName);
      pools.push(pool);
      return aesGcmKey(keyName, module, pool, handle, new InvocationCounter(keyName, limit, reserve));
    },
    async generateKey(label, id) {
      session((s) => {
        if (findKey(module, s, label).length > 0) {
          throw new VaultError('INVALID_ARGUMENT', `${name}: a key labelled "${label}" exists already`);
        }
        try {
          module.api.C_GenerateKey(s, { mechanism: P.CKM_AES_KEY_GEN }, [
            { type: P.CKA_CLASS, value: P.CKO_SECRET_KEY },
            { type: P.CKA_KEY_TYPE, value: P.CKK_AES },
            { type: P.CKA_VALUE_LEN, value: 32 },
            ...KEY_POLICY,
            { type: P.CKA_LABEL, value: label },
            ...(id === undefined ? [] : [{ type: P.CKA_ID, value: Buffer.from(id) }]),
          ]);
        } catch (error) {
          throw keyUnavailable(name, `cannot generate a key (${reasonOf(error)})`, error);
        }
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const pool of pools) pool.close();
      releaseModule(module);
    },
  };
}
