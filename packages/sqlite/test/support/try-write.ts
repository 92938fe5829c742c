// Opens a SQLite store and tries one write; prints the outcome as JSON. Run as another user by faults.test.ts.
import { isVaultError } from '@credvault/core';
import { sqliteStore } from '../../src/index.js';

const store = sqliteStore({ path: process.argv[2] as string, busyTimeout: 100 });
try {
  const before = await store.get('k');
  await store.set('k', 'written');
  console.log(JSON.stringify({ ok: true, before }));
} catch (error) {
  console.log(
    JSON.stringify({
      ok: false,
      code: isVaultError(error) ? error.code : 'OTHER',
      message: String((error as Error).message),
    }),
  );
} finally {
  await store.close().catch(() => {});
}
