import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeComplianceSuite } from '@credvault/test-suite';
import * as vitest from 'vitest';
import { sqliteStore } from '../src/index.js';

const dir = await mkdtemp(join(tmpdir(), 'credvault-sqlite-'));
vitest.afterAll(() => rm(dir, { recursive: true, force: true }));

let n = 0;
storeComplianceSuite(vitest, () => sqliteStore({ path: join(dir, `suite-${++n}.db`) }), { name: 'sqlite (file)' });
storeComplianceSuite(vitest, () => sqliteStore({ path: ':memory:', pageSize: 7 }), {
  name: 'sqlite (:memory:, small pages)',
});
