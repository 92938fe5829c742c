import { connectionAuthSchema, createKeyring, createVault, generateKey, keyvStore } from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { sealRecord } from '../src/format/envelope.js';
import { connection, connectionAuth, SECRET_STRINGS } from './support/fixtures.js';
import { memoryVault } from './support/vault.js';

describe('what reaches the store', () => {
  it('holds no secret string of a Connection, and every readable field', async () => {
    const { vault, raw } = memoryVault();
    await vault.set('c1', connection());
    const stored = await raw('c1');
    for (const secret of SECRET_STRINGS) expect(stored).not.toContain(secret);
    for (const readable of ['hubspot', 'https://example.com/account', '123e4567-e89b-12d3-a456-426614174001']) {
      expect(stored).toContain(readable);
    }
  });

  it('holds no secret string of a ConnectionAuth, nor any piece of the long token', async () => {
    const { vault, raw } = memoryVault({ schema: connectionAuthSchema });
    await vault.set('a1', connectionAuth());
    const stored = await raw('a1');
    for (const secret of SECRET_STRINGS) {
      expect(stored).not.toContain(secret);
      expect(stored).not.toContain(secret.slice(3, 15));
    }
    expect(stored).toContain('client-id-public');
  });
});

describe('a record sealed under a key the keyring lacks', () => {
  it('throws UNKNOWN_KEY, and opens once the key is back as decrypt-only', async () => {
    const old = { kid: 'old', key: generateKey() };
    const next = { kid: 'new', key: generateKey() };
    const { vault, keyv } = memoryVault({ keyring: createKeyring([old]) });
    await vault.set('c1', connection());
    const without = createVault({
      store: keyvStore(keyv),
      keyring: createKeyring([next]),
      schema: vault.schema,
      namespace: 'test',
    });
    await expect(without.get('c1')).rejects.toMatchObject({ code: 'UNKNOWN_KEY', id: 'c1' });
    const both = createVault({
      store: keyvStore(keyv),
      keyring: createKeyring([next, old]),
      schema: vault.schema,
      namespace: 'test',
    });
    expect((await both.get('c1'))?.accessToken).toBe(connection().accessToken);
    await both.set('c2', connection());
    expect(String(await keyv.get('test:c2')).startsWith('cv1.new.')).toBe(true);
  });

  it('throws DECRYPT_FAILED when the kid is known but the key is a different one', async () => {
    const { vault, keyv } = memoryVault();
    await vault.set('c1', connection());
    const impostor = createVault({
      store: keyvStore(keyv),
      keyring: createKeyring([{ kid: 'k1', key: generateKey() }]),
      schema: vault.schema,
      namespace: 'test',
    });
    await expect(impostor.get('c1')).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
  });
});

describe('randomness', () => {
  it('gives 10,000 seals of one record 10,000 different nonces and data keys', async () => {
    const keyring = createKeyring([{ kid: 'k1', key: generateKey() }]);
    const record = { readable: '{"a":1}', secret: '{"s":"same"}' };
    const dataNonces = new Set<string>();
    const wrapNonces = new Set<string>();
    const deks = new Set<string>();
    const { wrapContext } = await import('../src/format/envelope.js');
    const { parseEnvelope } = await import('../src/format/envelope-text.js');
    for (let i = 0; i < 10_000; i++) {
      const parts = parseEnvelope(await sealRecord(keyring, 'ns', 'id', record));
      dataNonces.add(Buffer.from(parts.sealed.subarray(0, 24)).toString('hex'));
      wrapNonces.add(Buffer.from(parts.wrappedKey.subarray(0, 24)).toString('hex'));
      deks.add(Buffer.from(keyring.unwrap('k1', parts.wrappedKey, wrapContext('k1', 'ns', 'id'))).toString('hex'));
    }
    expect(dataNonces.size).toBe(10_000);
    expect(wrapNonces.size).toBe(10_000);
    expect(deks.size).toBe(10_000);
  });
});
