import {
  type AnyCredentialSchema,
  connectionAuthSchema,
  connectionSchema,
  createKeyring,
  createVault,
  dateField,
  defineCredentialSchema,
  generateKey,
  jsonObjectField,
  memoryStore,
} from '@credvault/core';
import * as v from 'valibot';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rereaderOf } from '../src/records/reread.js';
import { connection, connectionAuth, randomConnection, randomConnectionAuth } from './support/fixtures.js';

afterEach(() => vi.restoreAllMocks());

/** A vault that writes and reads (record cache on) and one over the same store that opens every read. */
function pair<S extends AnyCredentialSchema>(schema: S) {
  const keyring = createKeyring([{ kid: 'k1', key: generateKey() }]);
  const store = memoryStore();
  return {
    writer: createVault({ store, keyring, schema, namespace: 'r' }),
    fresh: createVault({ store, keyring, schema, namespace: 'r', recordCache: false, unwrapCache: false }),
  };
}

/**
 * Where `a` and `b` differ, or `undefined`: primitives by `Object.is` (so `-0` is not `0`), Dates
 * by time, objects by their own keys in order (so key order counts) and prototype.
 */
function difference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return Object.is(a, b) ? undefined : `${path}: ${String(a)} against ${String(b)}`;
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: another kind of object`;
  if (a instanceof Date) return a.getTime() === (b as Date).getTime() ? undefined : `${path}: another time`;
  const keys = [Object.keys(a), Object.keys(b)];
  if (keys[0]?.join('\u0000') !== keys[1]?.join('\u0000')) return `${path}: keys ${keys[0]} against ${keys[1]}`;
  for (const key of keys[0] ?? []) {
    const found = difference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      `${path}.${key}`,
    );
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Writes each input, then checks that the writer's first read equals what a fresh read opens. */
async function expectSameReads<S extends AnyCredentialSchema>(schema: S, inputs: readonly unknown[]) {
  const { writer, fresh } = pair(schema);
  for (const [i, input] of inputs.entries()) await writer.set(`r${i}`, input as never);
  for (const [i] of inputs.entries()) {
    const first = await writer.getEntry(`r${i}`);
    const opened = await fresh.getEntry(`r${i}`);
    expect(opened).toBeDefined();
    expect(difference(first, opened)).toBeUndefined();
  }
}

describe('the first read of a write', () => {
  it.each([
    ['Connection', connectionSchema, connection()],
    ['ConnectionAuth', connectionAuthSchema, connectionAuth()],
  ] as const)('of a %s validates nothing again (the write validated it once)', async (_, schema, input) => {
    const runs = vi.spyOn(schema.schema, '~run');
    const { writer, fresh } = pair(schema as AnyCredentialSchema);
    await writer.set('a', input);
    expect(runs).toHaveBeenCalledTimes(1);
    const first = await writer.get('a');
    expect(runs).toHaveBeenCalledTimes(1);
    expect(await fresh.get('a')).toStrictEqual(first); // a read from the store validates
    expect(runs).toHaveBeenCalledTimes(2);
  });

  it('is what a fresh read opens, on 200 random Connections and ConnectionAuths: key order and dates included (-0 is refused by set)', async () => {
    await expectSameReads(connectionSchema, Array.from({ length: 100 }, randomConnection));
    const auths = Array.from({ length: 100 }, randomConnectionAuth);
    auths.push(
      connectionAuth({
        expiresIn: 0,
        refreshTokenExpiresIn: undefined,
        expiryDate: '2025-02-01T00:59:59.999+02:00',
        meta: { z: 0, b: [{ y: 1, x: [null, 'é', 0] }], 10: 'ten', 9: 'nine', A: true, '': {} },
      }),
    );
    await expectSameReads(connectionAuthSchema, auths);
  });

  it('of a schema with a part that might not validate to itself validates again, as a fresh read does', async () => {
    const schema = defineCredentialSchema(
      v.strictObject({
        name: v.pipe(
          v.string(),
          v.transform((name) => `${name}!`),
        ),
        key: v.string(),
      }),
      { secret: ['key'] },
    );
    const runs = vi.spyOn(schema.schema, '~run');
    const { writer, fresh } = pair(schema);
    await writer.set('a', { name: 'n', key: 'k' });
    expect(await writer.get('a')).toEqual({ name: 'n!!', key: 'k' });
    expect(runs).toHaveBeenCalledTimes(2);
    expect(await fresh.get('a')).toEqual({ name: 'n!!', key: 'k' });
  });

  it('fails where a fresh read fails: a plain v.date(); a number JSON cannot hold is refused by set', async () => {
    const infinite = defineCredentialSchema(v.strictObject({ field: v.number(), key: v.string() }), {
      secret: ['key'],
    });
    await expect(pair(infinite).writer.set('a', { field: Number.POSITIVE_INFINITY, key: 'k' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      path: 'field',
    });
    for (const [field, value] of [[v.date(), new Date(0)]] as const) {
      const schema = defineCredentialSchema(v.strictObject({ field, key: v.string() }), { secret: ['key'] });
      const { writer, fresh } = pair(schema);
      await writer.set('a', { field: value, key: 'k' } as never);
      await expect(fresh.get('a')).rejects.toMatchObject({ code: 'VALIDATION_FAILED', path: 'field' });
      await expect(writer.get('a')).rejects.toMatchObject({ code: 'VALIDATION_FAILED', path: 'field' });
    }
  });
});

describe('rereaderOf', () => {
  const custom = v.strictObject({
    name: v.pipe(v.string(), v.minLength(1), v.description('a name')),
    kind: v.picklist(['a', 'b']),
    level: v.optional(v.pipe(v.number(), v.integer()), 3),
    ratio: v.nullable(v.pipe(v.number(), v.finite())),
    flag: v.literal(true),
    mode: v.enum({ One: 'one', Two: 2 }),
    tags: v.array(v.string()),
    nested: v.optional(v.object({ z: v.string(), a: v.nullish(v.boolean()), when: dateField() })),
    meta: v.optional(jsonObjectField()),
    key: v.string(),
  });

  it('compiles the built-in schemas and a custom one built of plain parts, whose first reads equal fresh ones', async () => {
    expect(rereaderOf(connectionSchema.schema)).toBeTypeOf('function');
    expect(rereaderOf(connectionAuthSchema.schema)).toBeTypeOf('function');
    expect(rereaderOf(custom)).toBeTypeOf('function');
    const schema = defineCredentialSchema(custom, { secret: ['key', 'tags'] });
    const base = { name: 'n', kind: 'a', ratio: null, flag: true, mode: 2, tags: ['x'], key: 'k' } as const;
    await expectSameReads(schema, [
      base,
      { ...base, level: 0, ratio: 0, nested: { a: undefined, when: '2024-01-01T01:00:00+01:00', z: 'z' } },
      { ...base, ratio: 1.5, nested: { z: '', a: null, when: new Date(5) }, meta: { b: 1, a: { d: [], c: 2 } } },
    ]);
  });

  it.each([
    [
      'a transformation',
      v.pipe(
        v.string(),
        v.transform((s) => s),
      ),
    ],
    ['an idempotent-looking transformation', v.pipe(v.string(), v.trim())],
    ['a plain v.date()', v.date()],
    ['a number that may be infinite', v.number()],
    ['a union', v.union([v.string(), v.number()])],
    ['a lazy schema', v.lazy(() => v.string())],
    ['a fallback', v.fallback(v.string(), 'x')],
    ['a loose object', v.looseObject({})],
    ['a record of its own', v.record(v.string(), v.string())],
    ['an array of optional items', v.array(v.optional(v.string()))],
    ['a custom schema', v.custom<string>((x) => typeof x === 'string')],
    ['a bigint literal', v.literal(1n)],
    ['a picklist holding a bigint', v.picklist(['a', 1n])],
  ])('gives nothing for a schema with %s in it', (_, part) => {
    expect(rereaderOf(v.strictObject({ part: v.optional(part as v.GenericSchema) }))).toBeUndefined();
    expect(rereaderOf(v.strictObject({ deep: v.array(v.object({ part: part as v.GenericSchema })) }))).toBeUndefined();
  });
});
