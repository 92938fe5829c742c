import { connectionAuthSchema, DEFAULT_REFRESH_SKEW_MS, expiresAt, needsRefresh } from '@credvault/core';
import { describe, expect, it } from 'vitest';
import { connection } from './support/fixtures.js';
import { memoryVault } from './support/vault.js';

const at = (iso: string) => new Date(iso);

describe('expiresAt', () => {
  it('reads expirationTimestamp, then expiryDate, then expiresIn from storedAt', () => {
    expect(expiresAt({ expirationTimestamp: at('2030-01-01T00:00:00Z') })).toEqual(at('2030-01-01T00:00:00Z'));
    expect(expiresAt({ expiryDate: at('2031-01-01T00:00:00Z'), expiresIn: 10 })).toEqual(at('2031-01-01T00:00:00Z'));
    expect(expiresAt({ expiresIn: 3600 }, { storedAt: at('2026-11-22T10:00:00Z') })).toEqual(
      at('2026-11-22T11:00:00Z'),
    );
    expect(expiresAt({ expiresIn: 3600 })).toBeUndefined(); // no idea when it was issued
    expect(expiresAt({ clientId: 'x' })).toBeUndefined();
  });
});

describe('needsRefresh', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');
  it('is true inside the skew before expiry, and after it', () => {
    const rec = (iso: string) => ({ expiryDate: at(iso) });
    expect(DEFAULT_REFRESH_SKEW_MS).toBe(300_000);
    expect(needsRefresh(rec('2026-11-22T10:06:00Z'), { now })).toBe(false);
    expect(needsRefresh(rec('2026-11-22T10:04:59Z'), { now })).toBe(true);
    expect(needsRefresh(rec('2026-11-22T09:00:00Z'), { now })).toBe(true);
    expect(needsRefresh(rec('2026-11-22T10:00:30Z'), { now, skewMs: 10_000 })).toBe(false);
    expect(needsRefresh({ name: 'no expiry' }, { now })).toBe(false);
  });

  it('works on both shapes as the vault returns them, expiresIn counted from the write', async () => {
    const { vault } = memoryVault({ schema: connectionAuthSchema });
    const before = Date.now();
    await vault.set('a', { accessToken: 't', expiresIn: 60 });
    const entry = await vault.getEntry('a');
    expect(entry?.storedAt?.getTime()).toBeGreaterThanOrEqual(before);
    expect(entry?.storedAt?.getTime()).toBeLessThanOrEqual(Date.now());
    expect(expiresAt(entry?.record ?? {}, entry ?? {})?.getTime()).toBe((entry?.storedAt?.getTime() ?? 0) + 60_000);
    expect(needsRefresh(entry?.record ?? {}, entry ?? {})).toBe(true); // 60 s left < 5 min skew
    const c = memoryVault();
    await c.vault.set('c', connection({ expirationTimestamp: new Date(Date.now() + 3_600_000) }));
    expect(needsRefresh((await c.vault.get('c')) ?? {})).toBe(false);
  });
});
