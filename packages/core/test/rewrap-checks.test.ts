import { describe, expect, it } from 'vitest';
import { openRecord, rewrapRecord, sealRecord } from '../src/format/index.js';
import { createKeyring, generateKey, type KeyEncryptionKeys } from '../src/index.js';

// Each check the rewrap keeps (see rewrapRecord), failing on its own: the fast path (a keyring
// that answers at once) and the awaited one (a keyring that answers with promises) alike.
const old = { kid: 'k0', key: generateKey() };
const next = { kid: 'k1', key: generateKey() };
const record = { readable: '{"status":"active"}', secret: `{"accessToken":"${'t'.repeat(600)}"}` };
const local = () => createKeyring([next, old]);
/** The same keyring answering every wrap and unwrap with a promise, as a KMS does. */
const remote = (): KeyEncryptionKeys => {
  const keys = local();
  return {
    primaryKid: keys.primaryKid,
    kids: keys.kids,
    has: (kid) => keys.has(kid),
    wrap: async (kid, dek, context) => keys.wrap(kid, dek, context),
    unwrap: async (kid, wrapped, context) => keys.unwrap(kid, wrapped, context),
  };
};
const stored = () => sealRecord(createKeyring([old]), 'ns', 'id1', record);
/** `text` with its sealed part (the fourth) replaced by `change` of it. */
const withSealed = (text: string, change: (sealed: string) => string) => {
  const parts = text.split('.');
  parts[3] = change(parts[3] as string);
  return parts.join('.');
};

describe.each([
  ['a keyring that answers at once', local],
  ['a keyring that answers with promises', remote],
])('rewrapRecord with %s', (_, keyring) => {
  it('moves the record to the primary kid, the sealed part and readable text byte for byte', async () => {
    const before = await stored();
    const after = await rewrapRecord(keyring(), 'ns', 'id1', before);
    expect(after.startsWith('cv1.k1.')).toBe(true);
    expect(after.split('.').slice(3)).toEqual(before.split('.').slice(3));
    expect(await openRecord(local(), 'ns', 'id1', after)).toEqual(record);
  });

  it.each([
    ['not cv1', (text: string) => `cv2${text.slice(3)}`],
    ['a wrapped key that is not base64url', (text: string) => text.replace('cv1.k0.', 'cv1.k0.=')],
    [
      'a sealed part with a bit flipped',
      (text: string) => withSealed(text, (s) => `${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`),
    ],
    ['a sealed part in non-canonical base64url (padding)', (text: string) => withSealed(text, (s) => `${s}==`)],
    ['a sealed part with base64’s + for base64url’s -', (text: string) => withSealed(text, (s) => `+${s.slice(1)}`)],
    ['another readable text', (text: string) => `${text.slice(0, text.lastIndexOf('.') + 1)}{"status":"revoked"}`],
  ])('refuses %s with DECRYPT_FAILED', async (_, change) => {
    await expect(rewrapRecord(keyring(), 'ns', 'id1', change(await stored()))).rejects.toMatchObject({
      code: 'DECRYPT_FAILED',
    });
  });

  it('refuses a record moved to another id (the wrap context) with DECRYPT_FAILED', async () => {
    await expect(rewrapRecord(keyring(), 'ns', 'id2', await stored())).rejects.toMatchObject({
      code: 'DECRYPT_FAILED',
    });
  });

  it('refuses a kid the keyring lacks with UNKNOWN_KEY', async () => {
    const text = await sealRecord(createKeyring([{ kid: 'k9', key: generateKey() }]), 'ns', 'id1', record);
    await expect(rewrapRecord(keyring(), 'ns', 'id1', text)).rejects.toMatchObject({ code: 'UNKNOWN_KEY' });
  });
});

describe('rewrapRecord checks the new wrap through the keyring before answering', () => {
  const faulty = (fault: 'wrap' | 'unwrap'): KeyEncryptionKeys => {
    const keys = local();
    return {
      primaryKid: keys.primaryKid,
      kids: keys.kids,
      has: (kid) => keys.has(kid),
      wrap(kid, dek, context) {
        const wrapped = keys.wrap(kid, dek, context);
        if (fault === 'wrap') (wrapped[30] as number) ^= 1; // a wrap that does not open
        return wrapped;
      },
      unwrap(kid, wrapped, context) {
        const dek = keys.unwrap(kid, wrapped, context);
        if (fault === 'unwrap' && kid === 'k1') (dek[0] as number) ^= 1; // opens, to another key
        return dek;
      },
    };
  };

  it.each(['wrap', 'unwrap'] as const)('refuses with DECRYPT_FAILED when the %s is faulty', async (fault) => {
    await expect(rewrapRecord(faulty(fault), 'ns', 'id1', await stored())).rejects.toMatchObject({
      code: 'DECRYPT_FAILED',
    });
  });
});
