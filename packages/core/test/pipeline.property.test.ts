/**
 * Property-based tests of the whole pipeline (validate, seal, store, open) on the memory store
 * and on SQLite (issue 31): every accepted input reads back deep-equal, with the same kinds of
 * values (node's deep equality compares prototypes, so a plain object stays plain, an array an
 * array, a Date a Date, and `-0` is not `0`); every refused input throws a `VaultError` and
 * leaves the store as it was.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  type AnyCredentialSchema,
  connectionAuthSchema,
  connectionSchema,
  createVault,
  dateField,
  defineCredentialSchema,
  isVaultError,
  jsonObjectField,
  memoryStore,
  type VaultStore,
} from '@credvault/core';
import fc from 'fast-check';
import * as v from 'valibot';
import { afterAll, describe, expect, it } from 'vitest';
// @credvault/sqlite depends on core, so core's tests reach its source by path (no package cycle).
import { sqliteStore } from '../../sqlite/src/index.js';
import { testKeyring } from './support/vault.js';

const RUNS = 150;
const dir = mkdtempSync(join(tmpdir(), 'credvault-props-'));
const sqlite = sqliteStore({ path: join(dir, 'props.db') });
afterAll(async () => {
  await sqlite.close?.();
  rmSync(dir, { recursive: true, force: true });
});

const stores: [string, VaultStore][] = [
  ['memory', memoryStore()],
  ['sqlite', sqlite],
];

// --- values -------------------------------------------------------------------------------

const MIN_TIME = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const MAX_TIME = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

/** Strings with anything in them: astral characters, lone surrogates, control characters. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('', '\ud800', 'a\udc00b', '\u2028', '\u0000"\\/', '😀é'),
);
/** A key of a JSON object: anything but `__proto__` (refused, see FORMAT.md). */
const key = fc
  .oneof(text, fc.constantFrom('constructor', 'prototype', 'toString', '10', '9'))
  .filter((k) => k !== '__proto__');
/** Finite doubles other than -0. */
const number = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.integer(),
  fc.constantFrom(0, 2 ** 53 + 1, 5e-324, 1e21, Number.MAX_VALUE),
);
const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(key, tie('json'), { maxKeys: 4, noNullPrototype: true }),
  ),
}));
/** A JSON object field's value. */
const jsonObject = fc.dictionary(key, json, { maxKeys: 5, noNullPrototype: true });
const time = fc.integer({ min: MIN_TIME, max: MAX_TIME });
/** A date as `set` takes it: a Date, its toISOString(), or the same instant with an offset. */
const dateInput = fc
  .tuple(time, fc.integer({ min: 0, max: 2 }), fc.integer({ min: -14, max: 14 }))
  .map(([at, form, hours]) => {
    if (form === 0) return new Date(at);
    if (form === 1) return new Date(at).toISOString();
    const shifted = at + hours * 3_600_000;
    if (shifted < MIN_TIME || shifted > MAX_TIME) return new Date(at);
    const local = new Date(shifted).toISOString().slice(0, 23);
    const sign = hours < 0 ? '-' : '+';
    return `${local}${sign}${String(Math.abs(hours)).padStart(2, '0')}:00`;
  });

/** What `get` returns for a field given as `value`: dates as Dates of the same instant. */
function dateOut(value: Date | string): Date {
  return value instanceof Date ? new Date(value.getTime()) : new Date(value);
}

// --- schemas and their records ------------------------------------------------------------

const customSchema = defineCredentialSchema(
  v.strictObject({
    label: v.string(),
    count: v.pipe(v.number(), v.finite()),
    ratio: v.optional(v.number()),
    tags: v.array(v.string()),
    when: dateField(),
    data: jsonObjectField(),
    hidden: v.optional(jsonObjectField()),
    pin: v.string(),
    nested: v.object({ n: v.number(), flags: v.array(v.boolean()) }),
  }),
  { secret: ['pin', 'hidden'] },
);

interface Shape {
  readonly name: string;
  readonly schema: AnyCredentialSchema;
  readonly record: fc.Arbitrary<Record<string, unknown>>;
  readonly dates: readonly string[];
  readonly json: readonly string[];
  readonly numbers: readonly string[];
}

const connectionRecord = fc.record(
  {
    idConnection: text,
    status: text,
    providerSlug: text,
    vertical: text,
    accountUrl: text,
    tokenType: fc.constantFrom('oauth2', 'apikey', 'basic'),
    accessToken: text,
    refreshToken: text,
    expirationTimestamp: dateInput,
    createdAt: dateInput,
    connectionToken: text,
    idProject: text,
    idLinkedUser: text,
  },
  { noNullPrototype: true },
);

const authRecord = fc.record(
  {
    accessToken: text,
    apiUrl: text,
    clientSecret: text,
    emails: fc.array(text, { maxLength: 3 }),
    expiresIn: number,
    expiryDate: dateInput,
    meta: jsonObject,
    otherAuthInfo: fc.array(text, { maxLength: 3 }),
    refreshTokenExpiresDate: dateInput,
    refreshTokenExpiresIn: number,
    state: text,
  },
  { requiredKeys: [], noNullPrototype: true },
);

const customRecord = fc.record(
  {
    label: text,
    count: number,
    ratio: number,
    tags: fc.array(text, { maxLength: 3 }),
    when: dateInput,
    data: jsonObject,
    hidden: jsonObject,
    pin: text,
    nested: fc.record({ n: number, flags: fc.array(fc.boolean(), { maxLength: 3 }) }, { noNullPrototype: true }),
  },
  { requiredKeys: ['label', 'count', 'tags', 'when', 'data', 'pin', 'nested'], noNullPrototype: true },
);

const shapes: Shape[] = [
  {
    name: 'Connection',
    schema: connectionSchema,
    record: connectionRecord,
    dates: ['expirationTimestamp', 'createdAt'],
    json: [],
    numbers: [],
  },
  {
    name: 'ConnectionAuth',
    schema: connectionAuthSchema,
    record: authRecord,
    dates: ['expiryDate', 'refreshTokenExpiresDate'],
    json: ['meta'],
    numbers: ['expiresIn', 'refreshTokenExpiresIn'],
  },
  {
    name: 'a custom schema',
    schema: customSchema,
    record: customRecord,
    dates: ['when'],
    json: ['data', 'hidden'],
    numbers: ['count', 'ratio'],
  },
];

/** What `get` must return for an accepted `input`. */
function expectedOf(shape: Shape, input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...input };
  for (const name of shape.dates) if (out[name] !== undefined) out[name] = dateOut(out[name] as Date | string);
  return out;
}

// --- refused values -----------------------------------------------------------------------

class Thing {
  a = 1;
}
class MyArray extends Array<unknown> {}

/** Values no JSON field may hold, made fresh for each run. */
const junk: fc.Arbitrary<() => unknown> = fc.constantFrom(
  () => new Date(0),
  () => new Map([[1, 2]]),
  () => new Set([1]),
  () => /re/g,
  () => new Error('e'),
  () => Promise.resolve(1),
  () => new Thing(),
  () => Object('boxed'),
  () => Object(1),
  () => Object(true),
  () => new Uint8Array([1]),
  () => Buffer.from('b'),
  () => new ArrayBuffer(1),
  // biome-ignore lint/suspicious/noSparseArray: a hole is the point
  () => [1, , 2],
  () => Object.assign([1], { extra: 1 }),
  () => MyArray.from([1]),
  () => ({ [Symbol('s')]: 1 }),
  () => -0,
  () => Number.NaN,
  () => Number.POSITIVE_INFINITY,
  () => [undefined],
  () => () => 1,
  () => 1n,
  () => Symbol('s'),
  () => JSON.parse('{"__proto__":{"a":1}}'),
  () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    return cyclic;
  },
  () => {
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    return deep;
  },
);

/** Puts `bad` at a random place inside a JSON object: under a chain of keys, maybe in an array. */
const jsonWithJunk = fc
  .tuple(jsonObject, fc.array(key, { minLength: 1, maxLength: 3 }), fc.boolean(), junk)
  .map(([base, path, inArray, make]) => {
    let value: unknown = inArray ? [null, make()] : make();
    for (const name of [...path].reverse().slice(0, -1)) value = { [name]: value };
    return { ...base, [path[0] as string]: value };
  });

/** Values that are not a record at all, or a record's fields on something that is not a plain object. */
function notARecord(fields: Record<string, unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom<unknown>(null, undefined, 0, 'record', true, 1n, Symbol('r')),
    fc.array(fc.anything(), { maxLength: 3 }),
    fc
      .constantFrom(
        () => Object.assign([], fields),
        () => Object.assign(new Date(0), fields),
        () => Object.assign(new Map(), fields),
        () => Object.assign(new Set(), fields),
        () => Object.assign(/x/, fields),
        () => Object.assign(new Thing(), fields),
        () => ({ ...fields, [Symbol('s')]: 1 }),
      )
      .map((make) => make()),
  );
}

/** A valid record with one thing wrong in it. */
function refused(shape: Shape): fc.Arbitrary<unknown> {
  return shape.record.chain((record) => {
    const options: fc.Arbitrary<unknown>[] = [notARecord(record)];
    for (const name of shape.json) {
      options.push(jsonWithJunk.map((bad) => ({ ...record, [name]: bad })));
      options.push(junk.map((make) => ({ ...record, [name]: make() })));
      options.push(fc.array(json, { maxLength: 2 }).map((bad) => ({ ...record, [name]: bad })));
    }
    for (const name of shape.numbers) {
      options.push(
        fc.constantFrom(-0, Number.NaN, Number.NEGATIVE_INFINITY).map((bad) => ({ ...record, [name]: bad })),
      );
    }
    for (const name of shape.dates) {
      options.push(
        fc
          .constantFrom<unknown>(new Date(Number.NaN), new Date(MAX_TIME + 1), '2024-02-30T00:00:00Z', 'now', 0)
          .map((bad) => ({ ...record, [name]: bad })),
      );
    }
    return fc.oneof(...options);
  });
}

// --- the properties -----------------------------------------------------------------------

let next = 0;

describe.each(stores)('the pipeline on the %s store', (_, store) => {
  describe.each(shapes)('$name', (shape) => {
    const namespace = `p${++next}`;
    // A second instance reads what the first wrote: the text is opened and validated afresh.
    const keyring = testKeyring();
    const vaultOf = () => createVault({ store, keyring, schema: shape.schema, namespace });
    const sealer = vaultOf();
    const reader = vaultOf();

    it('reads every accepted record back deep-equal, with the same kinds of values', async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(shape.record, async (input) => {
          const id = `ok-${++n}`;
          await sealer.set(id, input);
          const expected = expectedOf(shape, input);
          const first = await sealer.get(id);
          const fresh = await reader.get(id);
          expect(isDeepStrictEqual(first, expected), 'the first read').toBe(true);
          expect(isDeepStrictEqual(fresh, expected), 'a fresh read').toBe(true);
        }),
        { numRuns: RUNS },
      );
    });

    it('refuses every bad input with a VaultError, by set, setMany or update, storing nothing', async () => {
      const id = 'kept';
      const kept = fc.sample(shape.record, { numRuns: 1, seed: 7 })[0] as Record<string, unknown>;
      await sealer.set(id, kept);
      const before = await store.get(`${namespace}:${id}`);
      await fc.assert(
        fc.asyncProperty(refused(shape), fc.constantFrom('set', 'setMany', 'update', 'new'), async (bad, how) => {
          // An updater that answers undefined changes nothing, by design.
          fc.pre(!(bad === undefined && how === 'update'));
          const attempt =
            how === 'set'
              ? sealer.set(id, bad as never)
              : how === 'setMany'
                ? sealer.setMany([[id, bad as never]])
                : how === 'update'
                  ? sealer.update(id, () => bad as never)
                  : sealer.set('never-stored', bad as never);
          const error = await attempt.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(isVaultError(error), String(error)).toBe(true);
          expect(await store.get(`${namespace}:${id}`)).toBe(before);
          expect(await store.get(`${namespace}:never-stored`)).toBeUndefined();
        }),
        { numRuns: RUNS },
      );
      expect(isDeepStrictEqual(await reader.get(id), expectedOf(shape, kept))).toBe(true);
    });
  });
});
