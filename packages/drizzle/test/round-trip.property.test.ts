import type { ConnectionInput } from '@credvault/core';
import { usePostgresServer } from '@credvault/test-suite';
import { inArray } from 'drizzle-orm';
import fc from 'fast-check';
import * as vitest from 'vitest';
import { type Harness, pgHarness, sqliteHarness } from './support/harness.js';

const { describe, expect, it } = vitest;
const server = usePostgresServer(vitest);

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const date = fc.date({
  min: new Date('1970-01-01T00:00:00Z'),
  max: new Date('2200-01-01T00:00:00Z'),
  noInvalidDate: true,
});
const record: fc.Arbitrary<ConnectionInput> = fc.record({
  idConnection: text,
  status: text,
  providerSlug: text,
  vertical: text,
  accountUrl: text,
  tokenType: fc.constantFrom('oauth2', 'apikey', 'basic'),
  accessToken: fc.string({ unit: 'grapheme', maxLength: 600 }),
  refreshToken: text,
  expirationTimestamp: date,
  createdAt: date,
  connectionToken: text,
  idProject: text,
  idLinkedUser: text,
});

async function roundTrips(h: Harness) {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.option(record, { nil: null }), { minLength: 1, maxLength: 4 }), async (records) => {
      run++;
      const ids = records.map((_, i) => `r${run}-${i}`);
      const sealed = await h.creds.seal(
        records.map((credential, i) => ({ id: ids[i] as string, provider: 'p', credential })),
      );
      await h.insert(sealed);
      const rows = await h.creds.open(await h.select(inArray(h.table.id, ids)));
      const byId = new Map(rows.map((row) => [row.id, row.credential]));
      expect(ids.map((id) => byId.get(id))).toEqual(records);
    }),
    { numRuns: 30 },
  );
}

describe('random records round-trip exactly through insert + select', () => {
  it('on SQLite', async () => {
    const h = sqliteHarness();
    try {
      await roundTrips(h);
    } finally {
      await h.close();
    }
  });
  it.skipIf(!server.available)('on PostgreSQL', async () => {
    const h = await pgHarness(server.url());
    try {
      await roundTrips(h);
    } finally {
      await h.close();
    }
  });
});
