import { keyvStore } from '@credvault/core';
import { Keyv } from 'keyv';
import * as vitest from 'vitest';
import { storeComplianceSuite } from '../src/index.js';

// The generic Keyv path over an in-memory Map: no compare-and-set, no batches, no prefix replacement.
storeComplianceSuite(vitest, () => keyvStore(new Keyv()), {
  name: 'keyv (memory)',
  lacks: { compareAndSet: true, replacePrefix: true, batch: true, count: true },
});
