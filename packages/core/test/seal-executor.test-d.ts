/**
 * The types of the seal executor seam (`vault.migrate({ executor })`), checked by
 * `tsc -p tsconfig.test.json`: what an executor takes and answers.
 */
import {
  legacyMigrator,
  type MigrateOptions,
  type MigrateResult,
  type RewrapExecutor,
  type SealExecutor,
  type SealResult,
  sealBatch,
  type VaultErrorCode,
} from '@credvault/core';
import { expectTypeOf } from 'vitest';

expectTypeOf<SealResult>().toEqualTypeOf<string | { readonly code: VaultErrorCode }>();
expectTypeOf<SealExecutor['seal']>().parameters.toEqualTypeOf<
  [namespace: string, records: readonly (readonly [string, string, string])[]]
>();
expectTypeOf<SealExecutor['seal']>().returns.toEqualTypeOf<Promise<readonly SealResult[]>>();
expectTypeOf(sealBatch).returns.toEqualTypeOf<Promise<SealResult[]>>();
expectTypeOf<NonNullable<MigrateOptions['executor']>>().toEqualTypeOf<SealExecutor>();
// A rewrap executor alone is not a seal executor.
expectTypeOf<RewrapExecutor>().not.toExtend<SealExecutor>();
// An executor may also migrate legacy values whole: [id, stored] in, [envelope, reader] or a code out.
expectTypeOf<MigrateResult>().toEqualTypeOf<
  readonly [envelope: string, reader: string] | { readonly code: VaultErrorCode; readonly path?: string }
>();
expectTypeOf<SealExecutor['migrate']>().toEqualTypeOf<
  | ((
      namespace: string,
      values: readonly (readonly [id: string, stored: string])[],
    ) => Promise<readonly MigrateResult[]>)
  | undefined
>();
expectTypeOf(legacyMigrator).returns.returns.toEqualTypeOf<Promise<MigrateResult[]>>();
