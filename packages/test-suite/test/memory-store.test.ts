import { leaseFor, memoryStore } from '@credvault/core';
import * as vitest from 'vitest';
import { compareAndSetSuite, iterationSuite, storeComplianceSuite } from '../src/index.js';

// Core's memoryStore(): every capability of the contract, so nothing is skipped.
storeComplianceSuite(vitest, () => memoryStore(), { name: 'memory' });

// The parts also run on their own, as a store that has only some capabilities would use them.
vitest.describe('memory store, parts on their own', () => {
  compareAndSetSuite(vitest, () => memoryStore());
  iterationSuite(vitest, () => memoryStore(), { records: 100 });
});

vitest.describe('memory store leases (leaseFor over its compare-and-set)', () => {
  vitest.it('grants a lease to one owner at a time, and again once released', async () => {
    const acquire = leaseFor(memoryStore());
    vitest.expect(acquire).toBeDefined();
    const take = acquire as NonNullable<typeof acquire>;
    const first = await take('~lease:ns:refresh:a', 10_000);
    vitest.expect(first).toBeDefined();
    vitest.expect(await take('~lease:ns:refresh:a', 10_000)).toBeUndefined();
    vitest.expect(await first?.release()).toBe(true);
    vitest.expect(await take('~lease:ns:refresh:a', 10_000)).toBeDefined();
  });
});
