/**
 * Legacy readers (issue 32 item 4): values stored before credvault are read typed and
 * reported, never silently; a vault without readers (the strict setting) refuses them.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import {
  type AesGcmLayout,
  aesGcmText,
  connectionAuthSchema,
  connectionSchema,
  createKeyring,
  createVault,
  generateKey,
  isVaultError,
  type LegacyReader,
  memoryStore,
  plaintextJson,
  type VaultEvent,
} from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection, connectionAuth, SECRET_STRINGS } from './support/fixtures.js';
import { testKeyring } from './support/vault.js';

const codeOf = (promise: unknown): Promise<unknown> =>
  Promise.resolve()
    .then(() => promise)
    .then(
      () => 'resolved',
      (error: unknown) => (isVaultError(error) ? error.code : error),
    );

type Encoding = 'hex' | 'base64' | 'base64url';

/** What a hand-rolled AES-256-GCM helper writes. */
function handRolled(key: Uint8Array, plaintext: string, prefix: string, encoding: Encoding, layout: AesGcmLayout) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  const enc = (b: Buffer) => b.toString(encoding);
  if (layout === 'iv:ciphertext:tag') return `${prefix}${enc(iv)}:${enc(data)}:${enc(tag)}`;
  if (layout === 'iv:tag:ciphertext') return `${prefix}${enc(iv)}:${enc(tag)}:${enc(data)}`;
  return `${prefix}${enc(iv)}:${enc(Buffer.concat([data, tag]))}`;
}

describe('plaintextJson', () => {
  it('reads a JSON object, leaves anything else to the next reader, and maps when asked', async () => {
    const reader = plaintextJson();
    expect(await reader.read('{"a":1}', 'x')).toEqual({ a: 1 });
    expect(await reader.read('not json', 'x')).toBeUndefined();
    expect(await reader.read('{broken', 'x')).toBeUndefined();
    expect(await reader.read('"a string"', 'x')).toBeUndefined();
    const mapped = plaintextJson({ map: (parsed, id) => ({ ...(parsed as object), id }) });
    expect(await mapped.read('{"a":1}', 'x')).toEqual({ a: 1, id: 'x' });
  });
});

describe('aesGcmText', () => {
  const key = new Uint8Array(randomBytes(32));
  const layouts: AesGcmLayout[] = ['iv:ciphertext:tag', 'iv:tag:ciphertext', 'iv:ciphertext+tag'];
  const encodings: Encoding[] = ['hex', 'base64', 'base64url'];
  const cases = layouts.flatMap((layout) => encodings.map((encoding) => [layout, encoding] as const));

  it.each(cases)('reads %s in %s, and refuses the wrong key and a flipped byte', async (layout, encoding) => {
    const reader = aesGcmText({ key, prefix: 'enc:v1:', encoding, layout });
    const value = handRolled(key, '{"accessToken":"tok"}', 'enc:v1:', encoding, layout);
    expect(await reader.read(value, 'x')).toEqual({ accessToken: 'tok' });
    const wrong = aesGcmText({ key: new Uint8Array(32), prefix: 'enc:v1:', encoding, layout });
    expect(await codeOf(wrong.read(value, 'x'))).toBe('DECRYPT_FAILED');
    const other = handRolled(key, '{"accessToken":"tok"}', 'enc:v1:', encoding, layout);
    const [iv] = other.slice('enc:v1:'.length).split(':');
    const spliced = value.replace(/^enc:v1:[^:]+/, `enc:v1:${iv}`); // another value's IV
    expect(await codeOf(reader.read(spliced, 'x'))).toBe('DECRYPT_FAILED');
  });

  it('leaves values without its prefix or of another shape to the next reader', async () => {
    const reader = aesGcmText({ key, prefix: 'enc:v1:', encoding: 'hex' });
    expect(await reader.read('{"a":1}', 'x')).toBeUndefined();
    expect(await reader.read('enc:v1:zz:zz:zz', 'x')).toBeUndefined();
    expect(await reader.read('enc:v1:00', 'x')).toBeUndefined();
    expect(await reader.read(`enc:v1:${'00'.repeat(12)}:00:${'00'.repeat(15)}`, 'x')).toBeUndefined(); // short tag
  });

  it('refuses bad options by name', () => {
    const bad = (options: object, path: string) =>
      expect(() => aesGcmText({ key, prefix: '', encoding: 'hex', ...options })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', path }),
      );
    bad({ key: new Uint8Array(16) }, 'key');
    bad({ encoding: 'utf8' }, 'encoding');
    bad({ encoding: 'toString' }, 'encoding'); // in every object, not one of the encodings
    bad({ encoding: { toString: 0 } }, 'encoding'); // not a string: no TypeError from converting it
    bad({ layout: 'tag:iv' }, 'layout');
    bad({ prefix: 1 }, 'prefix');
    bad({ map: 'x' }, 'map');
  });
});

describe('a vault with legacy readers', () => {
  const setup = (legacy?: LegacyReader | LegacyReader[]) => {
    const store = memoryStore();
    const keyring = testKeyring();
    const vault = createVault({
      store,
      keyring,
      schema: connectionAuthSchema,
      namespace: 'n',
      ...(legacy === undefined ? {} : { legacy }),
    });
    const events: VaultEvent[] = [];
    vault.on('*', (event) => events.push(event));
    return { store, keyring, vault, events };
  };

  it('returns a legacy value typed, reports it, and counts it in status', async () => {
    const { store, vault, events } = setup(plaintextJson());
    const input = connectionAuth();
    await store.set('n:old', JSON.stringify(input));
    await vault.set('new', connectionAuth());
    const record = await vault.get('old');
    expect(record?.accessToken).toBe(input.accessToken);
    expect(record?.expiryDate).toEqual(new Date(input.expiryDate as string));
    expect(events.filter((e) => e.type === 'legacy')).toEqual([
      expect.objectContaining({ type: 'legacy', id: 'old', reader: 'plaintext-json', kid: undefined }),
    ]);
    expect(await vault.getEntry('old')).toMatchObject({ kid: undefined, storedAt: undefined });
    const status = await vault.status();
    expect(status).toMatchObject({ total: 2, legacy: 1, notOnPrimary: 1, kids: { k1: 1, '?': 1 } });
    expect((await vault.verify()).failed).toEqual([]);
  });

  it('validates a legacy value like a write: VALIDATION_FAILED with the path, no secret in the message', async () => {
    const { store, vault } = setup(plaintextJson());
    await store.set('n:bad', JSON.stringify({ ...connectionAuth(), expiresIn: 'soon' }));
    const error = await vault.get('bad').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', path: 'expiresIn', id: 'bad' });
    for (const secret of SECRET_STRINGS) expect(String(error)).not.toContain(secret);
  });

  it('strict (no reader) refuses a legacy value: DECRYPT_FAILED, and rotate reports it', async () => {
    const { store, vault, events } = setup();
    await store.set('n:old', JSON.stringify(connectionAuth()));
    const error = await vault.get('old').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DECRYPT_FAILED', id: 'old' });
    expect(String(error)).toContain('legacy reader');
    expect(events.map((e) => e.type)).toEqual(['decryptFailed']);
    expect((await vault.rotate()).failed).toEqual([expect.objectContaining({ id: 'old', code: 'DECRYPT_FAILED' })]);
  });

  it('rotate leaves legacy values alone where readers are declared: migrate is what moves them', async () => {
    const old = { kid: 'old', key: generateKey() };
    const store = memoryStore();
    const before = createVault({ store, keyring: createKeyring([old]), schema: connectionSchema });
    await before.set('a', connection());
    await store.set('default:legacy', JSON.stringify(connection()));
    const keyring = createKeyring([{ kid: 'new', key: generateKey() }, old]);
    const vault = createVault({ store, keyring, schema: connectionSchema, legacy: plaintextJson() });
    const report = await vault.rotate();
    expect(report.failed).toEqual([]);
    expect(report.rewrapped).toBe(1);
    expect(await store.get('default:legacy')).toBe(JSON.stringify(connection()));
    expect(await vault.status()).toMatchObject({ legacy: 1, kids: { new: 1, '?': 1 } });
  });

  it('tries several readers in order; a reader that throws its own error is DECRYPT_FAILED without the value', async () => {
    const key = new Uint8Array(randomBytes(32));
    const gcm = aesGcmText({ key, prefix: 'enc:', encoding: 'base64' });
    const { store, vault } = setup([gcm, plaintextJson()]);
    await store.set(
      'n:a',
      handRolled(key, JSON.stringify(connectionAuth({ name: 'A' })), 'enc:', 'base64', 'iv:ciphertext:tag'),
    );
    await store.set('n:b', JSON.stringify(connectionAuth({ name: 'B' })));
    await store.set('n:c', 'neither');
    expect((await vault.get('a'))?.name).toBe('A');
    expect((await vault.get('b'))?.name).toBe('B');
    expect(await codeOf(vault.get('c'))).toBe('DECRYPT_FAILED');
    const throwing: LegacyReader = {
      name: 'mine',
      read: (stored) => {
        throw new Error(`cannot parse ${stored}`);
      },
    };
    const { store: s2, vault: v2 } = setup(throwing);
    await s2.set('n:x', 'SECRET-VALUE-1');
    const error = await v2.get('x').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DECRYPT_FAILED' });
    expect(JSON.stringify(error) + String(error) + String((error as Error).cause)).not.toContain('SECRET-VALUE-1');
  });

  it('refuses a malformed legacy option by path', () => {
    const make = (legacy: unknown) => () =>
      createVault({ keyring: testKeyring(), schema: connectionSchema, legacy: legacy as LegacyReader });
    expect(make({ name: 'x' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'legacy' }));
    expect(make([plaintextJson(), 42])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'legacy.1' }),
    );
  });
});
