/**
 * The type of the telemetry seam's optional `active()` (issue 33, part 1), checked by
 * `tsc -p tsconfig.test.json`: a `VaultTelemetry` written before it existed still is one, one
 * with `active` must answer a boolean, and the vault's option takes both.
 */
import { connectionSchema, createVault, type VaultOptions, type VaultTelemetry } from '@credvault/core';
import { expectTypeOf } from 'vitest';
import { testKeyring } from './support/vault.js';

const reporting = {
  operation: () => ({ run: <T>(work: () => T): T => work(), end: () => undefined }),
  storeCall: () => ({ run: <T>(work: () => T): T => work(), end: () => undefined }),
  remoteKeyCall: <T>(_info: unknown, pending: Promise<T>): Promise<T> => pending,
  cache: () => undefined,
  rotation: () => undefined,
  records: () => undefined,
};

// Without `active`: still a VaultTelemetry (it reports every call).
expectTypeOf(reporting).toExtend<VaultTelemetry>();
// With `active(): boolean`.
expectTypeOf({ ...reporting, active: () => false }).toExtend<VaultTelemetry>();
// `active` answers a boolean, nothing else.
expectTypeOf({ ...reporting, active: () => 'yes' }).not.toExtend<VaultTelemetry>();
expectTypeOf({ ...reporting, active: true }).not.toExtend<VaultTelemetry>();
// Optional, and a method: what the vault reads is a function or nothing.
expectTypeOf<VaultTelemetry['active']>().toEqualTypeOf<(() => boolean) | undefined>();

const telemetry: VaultTelemetry = { ...reporting, active: () => true };
expectTypeOf(telemetry).toExtend<NonNullable<VaultOptions<typeof connectionSchema>['telemetry']>>();
createVault({ keyring: testKeyring(), schema: connectionSchema, telemetry });
