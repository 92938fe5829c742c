import { connectionAuthSchema, connectionSchema, toDate } from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection, connectionAuth, randomConnection, randomConnectionAuth } from './support/fixtures.js';
import { memoryVault } from './support/vault.js';

/** What `get` must return for an input: the same record, with date strings as Dates. */
function expected(record: object, dateFields: readonly string[]): object {
  const out: Record<string, unknown> = { ...record };
  for (const field of dateFields) {
    const value = out[field];
    if (value !== undefined) out[field] = toDate(value as Date | string);
  }
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

describe('Connection round trip', () => {
  const dates = ['expirationTimestamp', 'createdAt'];

  it('returns every one of the 13 fields exactly, dates as Date', async () => {
    const { vault } = memoryVault();
    const input = connection();
    await vault.set('c1', input);
    const output = await vault.get('c1');
    expect(Object.keys(output ?? {}).sort()).toEqual(connectionSchema.fields.slice().sort());
    expect(output).toStrictEqual(expected(input, dates));
    expect(output?.expirationTimestamp).toBeInstanceOf(Date);
    expect(output?.expirationTimestamp.toISOString()).toBe('2024-10-01T12:00:00.000Z');
    expect(output?.createdAt.getTime()).toBe(Date.parse('2024-10-01T12:00:00.123Z'));
  });

  it.each(['oauth2', 'apikey', 'basic'] as const)('keeps tokenType %s', async (tokenType) => {
    const { vault } = memoryVault();
    await vault.set('c', connection({ tokenType }));
    expect((await vault.get('c'))?.tokenType).toBe(tokenType);
  });

  it('round-trips 200 random connections', async () => {
    const { vault } = memoryVault();
    const inputs = Array.from({ length: 200 }, randomConnection);
    for (const [i, input] of inputs.entries()) await vault.set(`r${i}`, input);
    for (const [i, input] of inputs.entries()) expect(await vault.get(`r${i}`)).toStrictEqual(expected(input, dates));
  });

  it('returns undefined for an id never stored, and after delete', async () => {
    const { vault } = memoryVault();
    expect(await vault.get('nope')).toBeUndefined();
    await vault.set('c1', connection());
    expect(await vault.has('c1')).toBe(true);
    expect(await vault.delete('c1')).toBe(true);
    expect(await vault.delete('c1')).toBe(false);
    expect(await vault.has('c1')).toBe(false);
    expect(await vault.get('c1')).toBeUndefined();
  });

  it('keeps unicode ids and overwrites on set', async () => {
    const { vault } = memoryVault();
    await vault.set('ünï:cødé/🔑', connection({ status: 'a' }));
    await vault.set('ünï:cødé/🔑', connection({ status: 'b' }));
    expect((await vault.get('ünï:cødé/🔑'))?.status).toBe('b');
  });
});

describe('ConnectionAuth round trip', () => {
  const dates = ['expiryDate', 'refreshTokenExpiresDate'];

  it('returns all 22 fields exactly: arrays, nested meta, unicode, numbers and dates', async () => {
    const { vault } = memoryVault({ schema: connectionAuthSchema });
    const input = connectionAuth();
    expect(Object.keys(input).sort()).toEqual(connectionAuthSchema.fields.slice().sort());
    await vault.set('a1', input);
    const output = await vault.get('a1');
    expect(output).toStrictEqual(expected(input, dates));
    expect(output?.expiryDate?.toISOString()).toBe('2025-01-31T22:59:59.999Z');
    expect(output?.meta).toStrictEqual(input.meta);
    expect(output?.otherAuthInfo).toStrictEqual(input.otherAuthInfo);
  });

  it('stores an empty record and records with undefined fields', async () => {
    const { vault } = memoryVault({ schema: connectionAuthSchema });
    await vault.set('empty', {});
    expect(await vault.get('empty')).toStrictEqual({});
    await vault.set('partial', { clientId: 'x', pem: undefined, emails: [] });
    expect(await vault.get('partial')).toStrictEqual({ clientId: 'x', emails: [] });
  });

  it('round-trips 200 random subsets of the fields', async () => {
    const { vault } = memoryVault({ schema: connectionAuthSchema });
    const inputs = Array.from({ length: 200 }, randomConnectionAuth);
    for (const [i, input] of inputs.entries()) await vault.set(`r${i}`, input);
    for (const [i, input] of inputs.entries()) expect(await vault.get(`r${i}`)).toStrictEqual(expected(input, dates));
  });
});
