import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStore } from '../src/index.js';

const dir = await mkdtemp(join(tmpdir(), 'credvault-sqlite-lease-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('sqliteStore leases', () => {
  it('gives a lease to one connection at a time, released or extended only by its owner, taken over once expired', async () => {
    const path = join(dir, 'lease.db');
    const [a, b] = [sqliteStore({ path }), sqliteStore({ path })];
    const taken = await Promise.all([a.lease('job', 10_000), b.lease('job', 10_000), a.lease('job', 10_000)]);
    expect(taken.filter((lease) => lease !== undefined)).toHaveLength(1);
    const lease = taken.find((l) => l !== undefined);
    expect(await b.lease('job', 10_000)).toBeUndefined();
    expect(await a.has('job')).toBe(false); // leases live apart from records
    const rows = (await a.adapter.query('SELECT name, token FROM credvault_leases')) as { token: string }[];
    expect(rows).toEqual([{ name: 'job', token: lease?.token }]);
    expect(await lease?.extend(10_000)).toBe(true);
    await a.adapter.query(`UPDATE credvault_leases SET token = 'someone-else' WHERE name = 'job'`);
    expect(await lease?.release()).toBe(false);
    expect(await lease?.extend(5000)).toBe(false);
    await a.adapter.query(`DELETE FROM credvault_leases WHERE name = 'job'`);

    const short = await b.lease('job', 150);
    expect(short).toBeDefined();
    expect(await a.lease('job', 10_000)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const next = await a.lease('job', 10_000); // the short one expired: taken over
    expect(next).toBeDefined();
    expect(await short?.extend(10_000)).toBe(false); // too late: someone else holds it
    expect(await short?.release()).toBe(false);
    expect(await next?.release()).toBe(true);
    expect(await b.lease('job', 10_000)).toBeDefined();
    await expect(a.lease('x', 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', path: 'ttlMs' });
    await Promise.all([a.close(), b.close()]);
  });
});
