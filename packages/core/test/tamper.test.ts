import { connectionAuthSchema, envelopeKid, isVaultError, parseEnvelope } from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection, connectionAuth } from './support/fixtures.js';
import { memoryVault } from './support/vault.js';

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    const value = await promise;
    return `resolved with ${value === undefined ? 'undefined' : 'a record'}`;
  } catch (error) {
    return isVaultError(error) ? error.code : `non-VaultError ${String(error)}`;
  }
}

function flipBit(text: string, bit: number): string {
  const bytes = Buffer.from(text, 'utf8');
  bytes[bit >> 3] = (bytes[bit >> 3] as number) ^ (1 << (bit & 7));
  return bytes.toString('utf8');
}

describe('tampering with a stored envelope', () => {
  it('makes get throw on every single-bit flip of the stored bytes', async () => {
    const { vault, keyv, raw } = memoryVault({ schema: connectionAuthSchema });
    await vault.set('a1', connectionAuth({ accessToken: 'short', pem: 'p' }));
    const original = await raw('a1');
    const kidEnd = `cv1.${envelopeKid(original)}`.length * 8;
    const outcomes = new Map<string, number>();
    for (let bit = 0; bit < Buffer.byteLength(original) * 8; bit++) {
      const tampered = flipBit(original, bit);
      await keyv.set('test:a1', tampered);
      const outcome = await failure(vault.get('a1'));
      // A flipped kid names a key the keyring lacks: that is UNKNOWN_KEY, never a record.
      const allowed = bit >= 32 && bit < kidEnd ? ['DECRYPT_FAILED', 'UNKNOWN_KEY'] : ['DECRYPT_FAILED'];
      if (!allowed.includes(outcome)) throw new Error(`bit ${bit}: ${outcome}`);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    expect(outcomes.get('DECRYPT_FAILED')).toBeGreaterThan(Buffer.byteLength(original) * 8 - 17);
    await keyv.set('test:a1', original);
    expect(await vault.get('a1')).toBeDefined();
  });

  it('makes get throw DECRYPT_FAILED for every truncation', async () => {
    const { vault, keyv, raw } = memoryVault();
    await vault.set('c1', connection());
    const original = await raw('c1');
    for (let length = 0; length < original.length; length++) {
      await keyv.set('test:c1', original.slice(0, length));
      const outcome = await failure(vault.get('c1'));
      if (outcome !== 'DECRYPT_FAILED') throw new Error(`length ${length}: ${outcome}`);
    }
  });

  it('refuses an envelope moved to another id or namespace', async () => {
    const { vault, keyv, raw, keyring } = memoryVault();
    await vault.set('c1', connection());
    await keyv.set('test:c2', await raw('c1'));
    expect(await failure(vault.get('c2'))).toBe('DECRYPT_FAILED');
    const other = memoryVault({ keyring, namespace: 'other' });
    await other.keyv.set('other:c1', await raw('c1'));
    expect(await failure(other.vault.get('c1'))).toBe('DECRYPT_FAILED');
  });

  it('refuses a sealed part or wrapped key moved to another record', async () => {
    const { vault, keyv, raw } = memoryVault();
    await vault.set('c1', connection());
    await vault.set('c2', connection());
    const [a, b] = [await raw('c1'), await raw('c2')];
    const pa = a.split('.');
    const pb = b.split('.');
    expect(pa[4]).toBe(pb[4]); // same readable fields: only the binding to the id differs
    const sealedMoved = [...pb.slice(0, 3), pa[3], ...pb.slice(4)].join('.');
    const keyMoved = [...pb.slice(0, 2), pa[2], ...pb.slice(3)].join('.');
    for (const tampered of [sealedMoved, keyMoved]) {
      await keyv.set('test:c2', tampered);
      expect(await failure(vault.get('c2'))).toBe('DECRYPT_FAILED');
    }
  });

  it.each([
    ['idProject', 'attacker-project'],
    ['idLinkedUser', 'attacker-user'],
    ['status', 'revoked'],
  ])('refuses a record whose readable %s was edited in the store', async (field, value) => {
    const { vault, keyv, raw } = memoryVault();
    await vault.set('c1', connection());
    const parts = parseEnvelope(await raw('c1'));
    const readable = JSON.parse(parts.readable) as Record<string, unknown>;
    expect(readable[field]).toBeDefined();
    readable[field] = value;
    const edited = (await raw('c1')).replace(parts.readable, JSON.stringify(readable));
    await keyv.set('test:c1', edited);
    expect(await failure(vault.get('c1'))).toBe('DECRYPT_FAILED');
  });

  it('refuses swapped readable fields and added or removed ones', async () => {
    const { vault, keyv, raw } = memoryVault();
    await vault.set('c1', connection({ idProject: 'P', idLinkedUser: 'U' }));
    const original = await raw('c1');
    const variants = [
      original.replace('"idLinkedUser":"U","idProject":"P"', '"idLinkedUser":"P","idProject":"U"'),
      original.replace('"status":"active",', ''),
      original.replace('"status":"active"', '"status":"active","accessToken":"x"'),
      original.replace('{"accountUrl"', '{ "accountUrl"'),
    ];
    for (const variant of variants) {
      expect(variant).not.toBe(original);
      await keyv.set('test:c1', variant);
      expect(await failure(vault.get('c1'))).toBe('DECRYPT_FAILED');
    }
  });

  it('refuses a value that is not an envelope at all', async () => {
    const { vault, keyv } = memoryVault();
    for (const junk of ['', 'hello', '{"accessToken":"plain"}', 'cv2.k1.a.b.{}', 42, { a: 1 }]) {
      await keyv.set('test:x', junk);
      expect(await failure(vault.get('x'))).toBe('DECRYPT_FAILED');
    }
  });
});
