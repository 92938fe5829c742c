import { connectionSchema, createKeyring, createVault, generateKey, type KeyEntry } from '@credvault/core';
import { timeOnce } from './measure.js';
import { seed } from './rotation-cases.js';
import { openSpec } from './spec.js';

/** Master-key rotation of records spread over tenants, one value per run. */
export interface TenantRotationRuns {
  readonly records: number;
  readonly tenants: number;
  readonly ms: number[];
  /** Records rewrapped per run (the tenant key records). */
  readonly rewrapped: number[];
}

/**
 * Master-key rotation of `count` records spread over `tenants` tenants (`tenant: 'idProject'`):
 * it rewraps one key record per tenant and scans the rest. Rotates to a new master key `runs` times.
 */
export async function tenantRotationCase(
  spec: string,
  count: number,
  tenants: number,
  runs: number,
): Promise<TenantRotationRuns> {
  const namespace = `ten${count}`;
  const keys: KeyEntry[] = [{ kid: 'm0', key: generateKey() }];
  await seed(spec, namespace, count, keys, tenants);
  const store = openSpec(spec);
  const result: TenantRotationRuns = { records: count, tenants, ms: [], rewrapped: [] };
  for (let run = 0; run < runs; run++) {
    keys.unshift({ kid: `m${keys.length}`, key: generateKey() });
    const vault = createVault({
      store,
      keyring: createKeyring(keys),
      schema: connectionSchema,
      namespace,
      tenant: 'idProject',
    });
    let rewrapped = 0;
    result.ms.push(
      await timeOnce(async () => {
        rewrapped = (await vault.rotate({ batchSize: 500 })).rewrapped;
      }),
    );
    result.rewrapped.push(rewrapped);
  }
  await store.close?.();
  return result;
}
