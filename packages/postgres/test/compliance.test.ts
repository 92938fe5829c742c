import { storeComplianceSuite, usePostgresServer } from '@credvault/test-suite';
import pg from 'pg';
import * as vitest from 'vitest';
import { postgresStore } from '../src/index.js';

const server = usePostgresServer(vitest);
const available = server.available;

vitest.describe.skipIf(!available)('postgresStore', () => {
  storeComplianceSuite(vitest, () => postgresStore({ url: server.url() }), { name: 'postgres (url)' });
  storeComplianceSuite(vitest, () => postgresStore({ url: server.url() }, { schema: 'small_pages', pageSize: 7 }), {
    name: 'postgres (own schema, small pages)',
  });
  let shared: pg.Pool | undefined;
  vitest.afterAll(() => shared?.end());
  storeComplianceSuite(
    vitest,
    () => {
      // An application's pool needs its own 'error' listener (see the README): pool.end() resolves
      // before its sockets close, and the server's shutdown after this file may reach one first.
      shared ??= new pg.Pool({ connectionString: server.url(), max: 4 }).on('error', () => {});
      return postgresStore({ pool: shared }, { table: 'byo_pool' });
    },
    { name: 'postgres (your pg.Pool, kept open across stores)' },
  );
});
