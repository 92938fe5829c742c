import { isDeepStrictEqual } from 'node:util';
import {
  type AnyCredentialSchema,
  connectionAuthSchema,
  connectionSchema,
  createVault,
  dateField,
  defineCredentialSchema,
  isVaultError,
  type JsonObject,
  jsonObjectField,
  memoryStore,
  type VaultError,
} from '@credvault/core';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { sealRecord } from '../src/format/envelope.js';
import { connection } from './support/fixtures.js';
import { testKeyring } from './support/vault.js';

const NS = 'edges';

/** A vault over a memory store, and a way to store an authentic envelope of any record text. */
function setup<S extends AnyCredentialSchema>(schema: S) {
  const keyring = testKeyring();
  const store = memoryStore();
  const vault = createVault({ store, keyring, schema, namespace: NS });
  const plant = async (id: string, readable: string, secret: string) =>
    store.map.set(`${NS}:${id}`, await sealRecord(keyring, NS, id, { readable, secret }));
  return { vault, store, plant };
}

async function failure(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isVaultError(error)) throw new Error(`expected a VaultError, got ${String(error)}`);
  return error;
}

/** A custom schema with a readable and a secret JSON field and a number. */
const custom = defineCredentialSchema(
  v.strictObject({
    label: v.string(),
    count: v.optional(v.number()),
    extra: v.optional(jsonObjectField()),
    hidden: v.optional(jsonObjectField()),
    when: v.optional(dateField()),
  }),
  { secret: ['hidden'] },
);

class Thing {
  a = 1;
}
// biome-ignore lint/suspicious/noSparseArray: a hole is the point
const sparse = [1, , 3];
const decorated = Object.assign([1, 2], { extra: true });
class MyArray extends Array<number> {}
const subclassed = MyArray.from([1, 2]);
const withSymbol = { a: 1, [Symbol('s')]: 2 };
const hiddenKey = Object.defineProperty({ a: 1 }, 'b', { value: 2, enumerable: false });

/** Values a JSON field must refuse, with the path (inside `meta`) the error names. */
const notJson: [string, unknown, string][] = [
  ['a Date', { when: new Date(0) }, 'meta.when'],
  ['a Map', { m: new Map([[1, 2]]) }, 'meta.m'],
  ['a Set', { s: new Set([1]) }, 'meta.s'],
  ['a RegExp', { r: /x/ }, 'meta.r'],
  ['an Error', { e: new Error('x') }, 'meta.e'],
  ['a Promise', { p: Promise.resolve(1) }, 'meta.p'],
  ['a class instance', { t: new Thing() }, 'meta.t'],
  ['a boxed string', { b: Object('x') }, 'meta.b'],
  ['a boxed number', { b: Object(1) }, 'meta.b'],
  ['a typed array', { u: new Uint8Array([1, 2]) }, 'meta.u'],
  ['a Buffer', { u: Buffer.from('ab') }, 'meta.u'],
  ['an ArrayBuffer', { u: new ArrayBuffer(2) }, 'meta.u'],
  ['a sparse array', { list: sparse }, 'meta.list'],
  ['a decorated array', { list: decorated }, 'meta.list'],
  ['an Array subclass', { list: subclassed }, 'meta.list'],
  ['a symbol key', { deep: withSymbol }, 'meta.deep'],
  ['a non-enumerable key', { deep: hiddenKey }, 'meta.deep'],
  ['a function', { f: () => 1 }, 'meta.f'],
  ['undefined in an array', { list: [1, undefined] }, 'meta.list.1'],
  ['a bigint', { n: 1n }, 'meta.n'],
  ['NaN', { n: Number.NaN }, 'meta.n'],
  ['Infinity deep inside', { a: [{ b: Number.POSITIVE_INFINITY }] }, 'meta.a.0.b'],
  ['-0 deep inside', { a: [{ b: -0 }] }, 'meta.a.0.b'],
  ['a key "__proto__"', JSON.parse('{"a":{"__proto__":{"x":1}}}'), 'meta.a.__proto__'],
  ['a top-level key "__proto__"', JSON.parse('{"__proto__":1}'), 'meta.__proto__'],
];

describe('JSON fields (issue 31, items 1 and 2)', () => {
  it.each(notJson)('refuses %s with VALIDATION_FAILED at its path, storing nothing', async (_, meta, path) => {
    const { vault, store } = setup(connectionAuthSchema);
    const error = await failure(vault.set('x', { clientId: 'c', meta } as never));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.path).toBe(path);
    expect(store.map.size).toBe(0);
  });

  it('refuses an array, a Date or a Map as the whole field, readable or secret', async () => {
    const { vault, store } = setup(custom);
    for (const bad of [[1, 2], new Date(0), new Map(), []]) {
      for (const field of ['extra', 'hidden'] as const) {
        const error = await failure(vault.set('x', { label: 'l', [field]: bad } as never));
        expect(error.code).toBe('VALIDATION_FAILED');
        expect(error.path).toBe(field);
      }
    }
    expect(store.map.size).toBe(0);
  });

  it('keeps the keys "constructor" and "prototype" at any depth, as own keys of plain objects', async () => {
    const { vault } = setup(custom);
    const extra = { constructor: 1, prototype: { constructor: 'c', prototype: [true] } };
    const hidden = { a: { constructor: { prototype: null } } };
    await vault.set('x', { label: 'l', extra, hidden });
    const got = await vault.get('x');
    // node's deep equality: own keys, values and prototypes (vitest's reads a "constructor" key as the class).
    expect(isDeepStrictEqual(got, { label: 'l', extra, hidden })).toBe(true);
    expect(Object.getPrototypeOf(got?.extra)).toBe(Object.prototype);
  });

  it('accepts null-prototype objects, which read back as plain objects', async () => {
    const { vault } = setup(connectionAuthSchema);
    const meta = Object.assign(Object.create(null), { a: Object.assign(Object.create(null), { b: 1 }) });
    await vault.set('x', { meta });
    expect((await vault.get('x'))?.meta).toEqual({ a: { b: 1 } });
  });

  it('refuses a stored nested "__proto__" member on read (DECRYPT_FAILED), like a top-level one', async () => {
    const { vault, plant } = setup(connectionAuthSchema);
    await plant('nested', '{"meta":{"a":{"__proto__":{"x":1}}}}', '{}');
    const error = await failure(vault.get('nested'));
    expect(error.code).toBe('DECRYPT_FAILED');
    expect(error.path).toBe('meta.a.__proto__');
    const own = setup(custom);
    await own.plant('secret', '{"label":"l"}', '{"hidden":{"b":[{"__proto__":1}]}}');
    const sealed = await failure(own.vault.get('secret'));
    expect(sealed.code).toBe('DECRYPT_FAILED');
    expect(sealed.path).toBe('hidden.b.0.__proto__');
  });

  it('reads a stored {"meta":[]} as VALIDATION_FAILED, not as {}', async () => {
    const { vault, plant } = setup(connectionAuthSchema);
    await plant('x', '{"meta":[]}', '{}');
    const error = await failure(vault.get('x'));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.path).toBe('meta');
  });
});

describe('whole records that are not plain objects (item 3)', () => {
  const fields = connection();
  const carriers: [string, () => object][] = [
    ['an array', () => Object.assign([], fields)],
    ['a Date', () => Object.assign(new Date(0), fields)],
    ['a Map', () => Object.assign(new Map(), fields)],
    ['a Set', () => Object.assign(new Set(), fields)],
    ['a RegExp', () => Object.assign(/x/, fields)],
    ['a class instance', () => Object.assign(new Thing(), fields)],
  ];

  it.each(carriers)('refuses %s, by set, setMany and update, for every schema', async (_, make) => {
    for (const schema of [connectionSchema, connectionAuthSchema] as AnyCredentialSchema[]) {
      const { vault, store } = setup(schema);
      for (const attempt of [
        () => vault.set('x', make()),
        () => vault.setMany([['x', make()]]),
        () => vault.update('x', () => make()),
      ]) {
        const error = await failure(attempt());
        expect(error.code).toBe('VALIDATION_FAILED');
        expect(error.path).toBe('');
      }
      expect(store.map.size).toBe(0);
    }
  });

  it('refuses a bare array, Date or Map as a ConnectionAuth (every field optional)', async () => {
    const { vault, store } = setup(connectionAuthSchema);
    for (const bad of [[], new Date(0), new Map()]) {
      expect((await failure(vault.set('x', bad as never))).code).toBe('VALIDATION_FAILED');
    }
    expect(store.map.size).toBe(0);
  });

  it('refuses a record with a symbol key', async () => {
    const { vault, store } = setup(connectionAuthSchema);
    expect((await failure(vault.set('x', { clientId: 'c', [Symbol('s')]: 1 } as never))).code).toBe(
      'VALIDATION_FAILED',
    );
    expect(store.map.size).toBe(0);
  });
});

describe('depth and cycles (item 4)', () => {
  const nest = (levels: number): Record<string, unknown> => {
    let value: Record<string, unknown> = {};
    for (let i = 1; i < levels; i++) value = { a: value };
    return value;
  };

  it('keeps a JSON field 64 levels deep (the field itself the first)', async () => {
    const { vault } = setup(connectionAuthSchema);
    await vault.set('x', { meta: nest(64) as JsonObject });
    expect((await vault.get('x'))?.meta).toStrictEqual(nest(64));
  });

  it('refuses 65 levels, 5000 levels and a cycle with VALIDATION_FAILED, storing nothing', async () => {
    const { vault, store } = setup(connectionAuthSchema);
    const cyclic: Record<string, unknown> = { b: 1 };
    cyclic.self = cyclic;
    const cyclicArray: unknown[] = [];
    cyclicArray.push(cyclicArray);
    for (const meta of [nest(65), nest(5000), cyclic, { list: cyclicArray }]) {
      const error = await failure(vault.set('x', { meta: meta as JsonObject }));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.path?.startsWith('meta')).toBe(true);
    }
    expect(store.map.size).toBe(0);
  });

  it('refuses a cycle in a custom schema part that takes any value (v.unknown) with VALIDATION_FAILED', async () => {
    const loose = defineCredentialSchema(v.strictObject({ any: v.unknown() }), { secret: [] });
    const { vault, store } = setup(loose);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const error = await failure(vault.set('x', { any: cyclic }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.path?.startsWith('any')).toBe(true);
    expect(store.map.size).toBe(0);
  });
});

describe('-0 (item 5)', () => {
  it('refuses -0 in a number field, built-in or custom, with VALIDATION_FAILED', async () => {
    const auth = setup(connectionAuthSchema);
    const error = await failure(auth.vault.set('x', { expiresIn: -0 }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.path).toBe('expiresIn');
    const own = setup(custom);
    expect((await failure(own.vault.set('x', { label: 'l', count: -0 }))).path).toBe('count');
    expect(auth.store.map.size + own.store.map.size).toBe(0);
  });

  it('keeps 0', async () => {
    const { vault } = setup(connectionAuthSchema);
    await vault.set('x', { expiresIn: 0, meta: { z: 0 } });
    expect(Object.is((await vault.get('x'))?.expiresIn, 0)).toBe(true);
  });
});

describe('FORMAT.md and the library agree (item 6)', () => {
  it('refuses a secret part that starts with a UTF-8 BOM (DECRYPT_FAILED)', async () => {
    const { vault, plant } = setup(connectionAuthSchema);
    await plant('bom', '{"clientId":"c"}', '\ufeff{"accessToken":"t"}');
    expect((await failure(vault.get('bom'))).code).toBe('DECRYPT_FAILED');
    await plant('ok', '{"clientId":"c"}', '{"accessToken":"t"}');
    expect(await vault.get('ok')).toEqual({ clientId: 'c', accessToken: 't' });
  });

  it('writes and reads 0000-02-29 (year 0 is a leap year), in every accepted form', async () => {
    const { vault, plant } = setup(connectionAuthSchema);
    for (const text of ['0000-02-29T12:00:00Z', '0000-02-29T12:00:00.000Z', '0000-02-29T13:00:00+01:00']) {
      await vault.set('x', { expiryDate: text });
      expect((await vault.get('x'))?.expiryDate?.toISOString()).toBe('0000-02-29T12:00:00.000Z');
    }
    await plant('stored', '{"expiryDate":"0000-02-29T12:00:00.000Z"}', '{}');
    expect((await vault.get('stored'))?.expiryDate?.toISOString()).toBe('0000-02-29T12:00:00.000Z');
    expect((await failure(vault.set('x', { expiryDate: '0001-02-29T00:00:00Z' }))).code).toBe('VALIDATION_FAILED');
    expect((await failure(vault.set('x', { expiryDate: '0100-02-29T00:00:00Z' }))).code).toBe('VALIDATION_FAILED');
  });

  it('rule 10: validation comes first (VALIDATION_FAILED), then the canonical form of dates (DECRYPT_FAILED)', async () => {
    const { vault, plant } = setup(connectionAuthSchema);
    // A valid record whose date is not in the canonical form.
    await plant('a', '{"expiryDate":"2024-01-01T00:00:00Z"}', '{}');
    expect((await failure(vault.get('a'))).code).toBe('DECRYPT_FAILED');
    // The same date beside an invalid field: the invalid field decides.
    await plant('b', '{"expiresIn":"soon","expiryDate":"2024-01-01T00:00:00Z"}', '{}');
    const both = await failure(vault.get('b'));
    expect(both.code).toBe('VALIDATION_FAILED');
    expect(both.path).toBe('expiresIn');
    // A date that is not a date at all is a validation failure.
    await plant('c', '{"expiryDate":"2024-02-30T00:00:00.000Z"}', '{}');
    const invalid = await failure(vault.get('c'));
    expect(invalid.code).toBe('VALIDATION_FAILED');
    expect(invalid.path).toBe('expiryDate');
  });
});
