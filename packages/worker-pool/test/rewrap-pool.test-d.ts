/** The pool's types, checked by `tsc -p tsconfig.test.json`: one pool serves a rotation and a migration. */
import type { MigrateOptions, RewrapExecutor, RotateOptions, SealExecutor } from '@credvault/core';
import { expectTypeOf } from 'vitest';
import { type RewrapPool, rewrapPool } from '../src/index.js';

expectTypeOf(rewrapPool).returns.toEqualTypeOf<RewrapPool>();
expectTypeOf<RewrapPool>().toExtend<SealExecutor>();
expectTypeOf<RewrapPool>().toExtend<RewrapExecutor>();
expectTypeOf<RewrapPool>().toExtend<NonNullable<MigrateOptions['executor']>>();
expectTypeOf<RewrapPool>().toExtend<NonNullable<RotateOptions['executor']>>();
expectTypeOf<RewrapPool['close']>().returns.toEqualTypeOf<Promise<void>>();
