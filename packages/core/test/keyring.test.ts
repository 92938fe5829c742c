import { inspect } from 'node:util';
import {
  createKeyring,
  formatKeyEntry,
  generateKey,
  isVaultError,
  KEY_LENGTH,
  keyringFromEnv,
  parseKeyList,
} from '@credvault/core';
import { describe, expect, it } from 'vitest';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

function thrown(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (isVaultError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a throw');
}

describe('keyringFromEnv', () => {
  it('reads CREDVAULT_KEYS, first entry primary, the rest decrypt-only', () => {
    const [a, b] = [generateKey(), generateKey()];
    const keyring = keyringFromEnv('CREDVAULT_KEYS', { CREDVAULT_KEYS: ` k2:${b64(b)} ,\nk1:${b64(a)}\n` });
    expect(keyring.primaryKid).toBe('k2');
    expect(keyring.kids).toEqual(['k2', 'k1']);
    expect(keyring.has('k1')).toBe(true);
    expect(keyring.has('k3')).toBe(false);
  });

  it('wraps under one key and unwraps only under the same kid and context', () => {
    const keyring = parseKeyList(`a:${b64(generateKey())},b:${b64(generateKey())}`);
    const dek = generateKey();
    const ctx = new Uint8Array([1, 2, 3]);
    const wrapped = keyring.wrap('b', dek, ctx);
    expect(keyring.unwrap('b', wrapped, ctx)).toEqual(dek);
    expect(thrown(() => keyring.unwrap('a', wrapped, ctx)).code).toBe('DECRYPT_FAILED');
    expect(thrown(() => keyring.unwrap('b', wrapped, new Uint8Array([1, 2, 4]))).code).toBe('DECRYPT_FAILED');
    expect(thrown(() => keyring.unwrap('zz', wrapped, ctx)).code).toBe('UNKNOWN_KEY');
  });

  const key = generateKey();
  const secretText = b64(key);
  it.each([
    ['an unset variable', undefined, 'is not set'],
    ['an empty variable', ' , ', 'holds no key'],
    ['a 31-byte key', `k:${b64(key.subarray(1))}`, 'must be 32 bytes'],
    ['a 33-byte key', `k:${b64(new Uint8Array(33))}`, 'must be 32 bytes'],
    ['a duplicate kid', `k:${secretText},k:${b64(generateKey())}`, 'duplicate kid "k"'],
    ['a missing colon', secretText, 'expected "kid:base64url-key"'],
    ['padded base64', `k:${secretText}=`, 'not unpadded base64url'],
    ['standard base64', `k:${Buffer.from(key).toString('base64')}`, 'not unpadded base64url'],
    ['a kid with a dot', `k.1:${secretText}`, 'kid must match'],
  ])('refuses %s with INVALID_KEYRING and never shows the key', (_, value, fragment) => {
    const env = value === undefined ? {} : { CREDVAULT_KEYS: value };
    const error = thrown(() => keyringFromEnv('CREDVAULT_KEYS', env));
    expect(error.code).toBe('INVALID_KEYRING');
    expect(error.message).toContain(fragment);
    expect(error.message).not.toContain(secretText);
    expect(error.message).not.toContain(secretText.slice(0, 12));
  });

  it('refuses an explicit key list that is empty or has a non-32-byte key', () => {
    expect(thrown(() => createKeyring([])).code).toBe('INVALID_KEYRING');
    expect(thrown(() => createKeyring([{ kid: 'x', key: new Uint8Array(16) }])).code).toBe('INVALID_KEYRING');
  });

  it('never shows key bytes in inspect, JSON or String', () => {
    const bytes = generateKey();
    const keyring = createKeyring([{ kid: 'main', key: bytes }]);
    const shown = [inspect(keyring, { depth: 10, showHidden: true }), JSON.stringify(keyring), String(keyring)].join();
    expect(shown).toContain('main');
    expect(shown).not.toContain(b64(bytes));
    expect(shown).not.toContain(Buffer.from(bytes).toString('hex').slice(0, 16));
    expect(shown).not.toMatch(new RegExp(Array.from(bytes.subarray(0, 4)).join(',\\s*')));
  });

  it('copies the key, so changing the caller’s array changes nothing', () => {
    const bytes = generateKey();
    const keyring = createKeyring([{ kid: 'k', key: bytes }]);
    const wrapped = keyring.wrap('k', generateKey(), new Uint8Array());
    bytes.fill(0);
    expect(() => keyring.unwrap('k', wrapped, new Uint8Array())).not.toThrow();
  });
});

describe('generateKey and formatKeyEntry', () => {
  it('gives distinct 32-byte keys that round-trip through CREDVAULT_KEYS', () => {
    const keys = Array.from({ length: 100 }, generateKey);
    expect(new Set(keys.map(b64)).size).toBe(100);
    expect(keys.every((k) => k.length === KEY_LENGTH)).toBe(true);
    const entry = formatKeyEntry('2026-11', keys[0] as Uint8Array);
    expect(entry).toMatch(/^2026-11:[A-Za-z0-9_-]{43}$/);
    const keyring = parseKeyList(entry);
    const wrapped = createKeyring([{ kid: '2026-11', key: keys[0] as Uint8Array }]).wrap(
      '2026-11',
      keys[1] as Uint8Array,
      new Uint8Array(),
    );
    expect(keyring.unwrap('2026-11', wrapped, new Uint8Array())).toEqual(keys[1]);
  });
});
