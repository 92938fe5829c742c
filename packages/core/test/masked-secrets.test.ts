/**
 * Reads that cannot leak by accident (issue 32, item 5): `createVault({ secrets: 'masked' })`
 * returns secret fields as `Secret`s, which show `[secret]` wherever a value is turned into
 * text by accident (console.log, util.inspect, JSON, String(), template strings, `+`, error
 * messages) and hold nothing a copy could carry (spread, Object.entries, structuredClone); the
 * value comes out only through `expose()`.
 */
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { inspect, isDeepStrictEqual } from 'node:util';
import {
  type AnyCredentialSchema,
  type Connection,
  connectionAuthSchema,
  connectionSchema,
  createVault,
  exposeSecrets,
  isVaultError,
  maskSecrets,
  memoryStore,
  SECRET_MASK,
  Secret,
  type SecretsMode,
  type VaultStore,
  type VaultTelemetry,
} from '@credvault/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connection, connectionAuth, SECRET_STRINGS, SECRETS } from './support/fixtures.js';
import { testKeyring } from './support/vault.js';

/** What `console.log(...values)` prints, captured from its stream. */
function logged(...values: unknown[]): string {
  let out = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      out += String(chunk);
      done();
    },
  });
  new Console({ stdout: stream, stderr: stream, colorMode: false }).log(...values);
  return out;
}

const DEEP = { showHidden: true, depth: Number.POSITIVE_INFINITY, getters: true } as const;

/** Every way a value becomes text by accident, for a value and, for a record, each of its fields. */
function renderings(value: unknown): string[] {
  const texts = [
    logged(value),
    logged('%s | %o | %O | %j', value, value, value, value),
    inspect(value),
    inspect(value, DEEP),
    inspect(value, { ...DEEP, customInspect: false }),
    String(JSON.stringify(value)),
    String(value),
    `${value}`,
    // biome-ignore lint/style/useTemplate: concatenation is one of the ways under test
    'value: ' + value,
    new Error(`failed on ${value} ${JSON.stringify(value)}`).message,
    inspect(new Error(`failed on ${value}`, { cause: value }), DEEP),
    inspect(structuredClone(value), DEEP),
    JSON.stringify(structuredClone(value)) ?? '',
  ];
  if (typeof value === 'object' && value !== null) {
    texts.push(inspect({ ...value }, DEEP), JSON.stringify(Object.entries(value)), JSON.stringify(Object.keys(value)));
    for (const field of Object.values(value)) {
      // biome-ignore lint/style/useTemplate: concatenation is one of the ways under test
      texts.push(String(field), `${field}`, 'x' + field, String(JSON.stringify(field)), inspect(field, DEEP));
      texts.push(logged(field), logged('%s', field), new Error(`bad token ${field}`).message);
      if (typeof field === 'object' && field !== null) texts.push(inspect({ ...field }, DEEP));
    }
  }
  return texts;
}

/** The secret strings found in any rendering of `value`. */
function leaked(value: unknown, secrets: readonly string[] = SECRET_STRINGS): string[] {
  const texts = renderings(value);
  return secrets.filter((secret) => texts.some((text) => text.includes(secret)));
}

function vaults(store: VaultStore = memoryStore()) {
  const keyring = testKeyring();
  const options = { store, keyring, schema: connectionSchema, namespace: 'm', index: ['connectionToken' as const] };
  return {
    masked: createVault({ ...options, secrets: 'masked' }),
    plain: createVault(options),
  };
}

describe('Secret', () => {
  it('gives the exact value only through expose()', () => {
    const list = ['one', 'two'];
    expect(new Secret(SECRETS.accessToken).expose()).toBe(SECRETS.accessToken);
    expect(new Secret(list).expose()).toBe(list);
    expect(new Secret(0).expose()).toBe(0);
  });

  it('shows the mask in strings, JSON, inspect and console.log, and nothing else of the value', () => {
    const secret = new Secret(SECRETS.accessToken);
    expect(String(secret)).toBe(SECRET_MASK);
    expect(`${secret}`).toBe('[secret]');
    // biome-ignore lint/style/useTemplate: concatenation is under test
    expect('token=' + secret).toBe('token=[secret]');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[secret]"}');
    expect(inspect(secret)).toBe('Secret([secret])');
    expect(inspect({ secret }, DEEP)).toBe('{ secret: Secret([secret]) }');
    expect(logged(secret)).toBe('Secret([secret])\n');
    expect(logged('%s', secret)).toBe('[secret]\n');
    expect(Object.prototype.toString.call(secret)).toBe('[object Secret]');
    expect(leaked(secret)).toEqual([]);
    expect(leaked(new Secret([...SECRETS.otherAuthInfo]))).toEqual([]);
  });

  it('holds nothing a copy could carry: no own keys, an empty spread and structured clone', () => {
    const secret = new Secret(SECRETS.refreshToken);
    expect(Reflect.ownKeys(secret)).toEqual([]);
    expect({ ...secret }).toEqual({});
    expect(structuredClone(secret)).toEqual({});
    expect(Secret.is(structuredClone(secret))).toBe(false);
  });

  it('is frozen, and so are its methods', () => {
    const secret = new Secret('x');
    expect(Object.isFrozen(secret)).toBe(true);
    expect(Object.isFrozen(Secret.prototype)).toBe(true);
    expect(Object.isFrozen(Secret)).toBe(true);
    expect(() => {
      (secret as unknown as { toJSON: unknown }).toJSON = () => 'x';
    }).toThrow(TypeError);
    expect(() => {
      (Secret.prototype as unknown as { toJSON: unknown }).toJSON = () => 'x';
    }).toThrow(TypeError);
  });

  it('is recognised by Secret.is, which a look-alike does not fool', () => {
    expect(Secret.is(new Secret('x'))).toBe(true);
    for (const other of [undefined, null, 'x', {}, { expose: () => 'x', toJSON: () => '[secret]' }]) {
      expect(Secret.is(other)).toBe(false);
    }
    const fake = Object.create(Secret.prototype) as Secret<string>;
    expect(Secret.is(fake)).toBe(false);
    expect(() => fake.expose()).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'this' }));
  });
});

describe('maskSecrets and exposeSecrets', () => {
  it('wrap exactly the secret fields present, without touching the record given', () => {
    const record = { ...connectionAuth(), expiryDate: new Date(0), refreshTokenExpiresDate: new Date(1) };
    const { pem: _pem, ...withoutPem } = record;
    const masked = maskSecrets(connectionAuthSchema, withoutPem);
    for (const name of connectionAuthSchema.secret) {
      if (name === 'pem') expect('pem' in masked).toBe(false);
      else expect(Secret.is(masked[name]), name).toBe(true);
    }
    expect(masked.apiUrl).toBe(record.apiUrl);
    expect(masked.meta).toBe(record.meta);
    expect(typeof withoutPem.accessToken).toBe('string');
    expect(leaked(masked)).toEqual([]);
    expect(exposeSecrets(connectionAuthSchema, masked)).toEqual(withoutPem);
    expect(exposeSecrets(connectionAuthSchema, masked).otherAuthInfo).toBe(record.otherAuthInfo);
  });

  it('keeps a secret already wrapped, and plain values in secret fields', () => {
    const token = new Secret('t');
    const record = { ...connection(), createdAt: new Date(0), expirationTimestamp: new Date(1), accessToken: 'a' };
    const masked = maskSecrets(connectionSchema, { ...record, refreshToken: token as unknown as string });
    expect(masked.refreshToken).toBe(token);
    expect(exposeSecrets(connectionSchema, { ...masked, accessToken: 'plain' }).accessToken).toBe('plain');
  });

  it('refuse what is not a schema or a record', () => {
    const record = connection() as unknown as Connection;
    expect(() => maskSecrets({} as typeof connectionSchema, record)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'schema' }),
    );
    expect(() => maskSecrets(connectionSchema, null as unknown as Connection)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'record' }),
    );
    expect(() => exposeSecrets(connectionSchema, 'x' as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'record' }),
    );
  });
});

describe("createVault({ secrets: 'masked' })", () => {
  it('checks the option', () => {
    const options = { keyring: testKeyring(), schema: connectionSchema };
    for (const secrets of ['mask', 'Masked', true, null, 1]) {
      const call = () => createVault({ ...options, secrets: secrets as SecretsMode });
      expect(call).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'secrets' }));
    }
    for (const secrets of [undefined, 'plain', 'masked'] as const) {
      expect(() => createVault({ ...options, ...(secrets && { secrets }) })).not.toThrow();
    }
  });

  it('masks get and getEntry, and expose() gives the exact values', async () => {
    const { masked, plain } = vaults();
    await plain.set('c1', connection());
    const record = await masked.get('c1');
    if (record === undefined) throw new Error('no record');
    expect(leaked(record)).toEqual([]);
    expect(record.accessToken.expose()).toBe(SECRETS.accessToken);
    expect(record.refreshToken.expose()).toBe(SECRETS.refreshToken);
    expect(record.connectionToken.expose()).toBe(SECRETS.connectionToken);
    expect(record.idProject).toBe(connection().idProject);
    expect(record.createdAt).toBeInstanceOf(Date);
    expect(exposeSecrets(connectionSchema, record)).toEqual(await plain.get('c1'));
    const entry = await masked.getEntry('c1');
    expect(entry && leaked(entry)).toEqual([]);
    expect(entry?.kid).toBe('k1');
    expect(entry?.record.accessToken.expose()).toBe(SECRETS.accessToken);
    expect(await masked.get('none')).toBeUndefined();
    expect(await masked.getEntry('none')).toBeUndefined();
  });

  it('masks findBy and entries', async () => {
    const { masked, plain } = vaults();
    await plain.set('c1', connection());
    await plain.set('c2', connection({ connectionToken: 'CT-secret-other-8x7y' }));
    const found = await masked.findBy('connectionToken', SECRETS.connectionToken);
    expect(found?.id).toBe('c1');
    expect(leaked(found)).toEqual([]);
    expect(found?.record.connectionToken.expose()).toBe(SECRETS.connectionToken);
    const all = [];
    for await (const entry of masked.entries()) all.push(entry);
    expect(all.map(([id]) => id).sort()).toEqual(['c1', 'c2']);
    expect(leaked(all, [...SECRET_STRINGS, 'CT-secret-other-8x7y'])).toEqual([]);
    const filtered = [];
    for await (const entry of masked.entries({ where: { idProject: connection().idProject } })) filtered.push(entry);
    expect(filtered).toHaveLength(2);
  });

  it('gives the updater the masked record and exposes the secrets it returns before sealing', async () => {
    const { masked, plain } = vaults();
    await plain.set('c1', connection());
    let seen: unknown;
    const updated = await masked.update('c1', (current) => {
      seen = current;
      return current && { ...current, status: 'paused', accessToken: new Secret('AT-new-4242') };
    });
    expect(leaked(seen)).toEqual([]);
    expect(leaked(updated, [...SECRET_STRINGS, 'AT-new-4242'])).toEqual([]);
    expect(updated?.accessToken.expose()).toBe('AT-new-4242');
    const stored = await plain.get('c1');
    expect(stored?.accessToken).toBe('AT-new-4242');
    expect(stored?.refreshToken).toBe(SECRETS.refreshToken);
    expect(stored?.status).toBe('paused');
    // Plain values are taken too, and `undefined` (or no record) leaves things as they are.
    await masked.update('c1', (current) => current && { ...current, refreshToken: 'RT-plain-1' });
    expect((await plain.get('c1'))?.refreshToken).toBe('RT-plain-1');
    expect((await masked.update('c1', () => undefined))?.refreshToken.expose()).toBe('RT-plain-1');
    expect(await masked.update('none', (current) => current)).toBeUndefined();
  });

  it('gives the refresher the masked record and exposes the secrets it returns', async () => {
    const { masked, plain } = vaults();
    await plain.set('c1', connection({ expirationTimestamp: new Date(Date.now() - 1000) }));
    let seen: unknown;
    const refreshed = await masked.refresh('c1', async (current) => {
      seen = current;
      return { ...current, accessToken: 'AT-fresh-77', expirationTimestamp: new Date(Date.now() + 3_600_000) };
    });
    expect(leaked(seen)).toEqual([]);
    expect(leaked(refreshed, [...SECRET_STRINGS, 'AT-fresh-77'])).toEqual([]);
    expect(refreshed.accessToken.expose()).toBe('AT-fresh-77');
    const stored = await plain.get('c1');
    expect(stored?.accessToken).toBe('AT-fresh-77');
    expect(stored?.refreshToken).toBe(SECRETS.refreshToken);
    expect(stored?.connectionToken).toBe(SECRETS.connectionToken);
  });

  it('writes a masked record back unchanged: set, setMany and an identity update round-trip exactly', async () => {
    const { masked, plain } = vaults();
    await plain.set('c1', connection());
    const original = await plain.get('c1');
    const record = await masked.get('c1');
    if (record === undefined) throw new Error('no record');
    await masked.set('c2', record);
    await masked.setMany([
      ['c3', record],
      ['c4', { ...record, accessToken: SECRETS.accessToken }],
    ]);
    await masked.update('c1', (current) => current);
    for (const id of ['c1', 'c2', 'c3', 'c4']) {
      const again = await plain.get(id);
      expect(isDeepStrictEqual(again, original), id).toBe(true);
    }
    expect((await masked.findBy('connectionToken', SECRETS.connectionToken))?.id).toBeDefined();
  });

  it('never stores the mask: a Secret in a readable field, or given to a plain vault, fails validation', async () => {
    const { masked, plain } = vaults();
    const input = { ...connection(), idProject: new Secret('p') as unknown as string };
    await expect(masked.set('c1', input)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', path: 'idProject' });
    const secretInPlain = { ...connection(), accessToken: new Secret(SECRETS.accessToken) as unknown as string };
    await expect(plain.set('c1', secretInPlain)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      path: 'accessToken',
    });
    await expect(plain.setMany([['c1', secretInPlain]])).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await plain.has('c1')).toBe(false);
    const error = await masked.set('c1', { ...connection(), createdAt: 'no date' }).catch((e: unknown) => e);
    expect(isVaultError(error) && leaked(error)).toEqual([]);
  });

  it('leaves the argument checks to the vault: the same INVALID_ARGUMENT paths', async () => {
    const { masked } = vaults();
    await expect(masked.update('c1', 'no' as never)).rejects.toMatchObject({ path: 'updater' });
    await expect(masked.refresh('c1', 1 as never)).rejects.toMatchObject({ path: 'refresher' });
    await expect(masked.setMany(42 as never)).rejects.toMatchObject({ path: 'entries' });
    await expect(masked.setMany([['c1']] as never)).rejects.toMatchObject({ path: 'entries.0' });
    await expect(masked.set('', connection())).rejects.toMatchObject({ path: 'id' });
    await expect(masked.get(1 as never)).rejects.toMatchObject({ path: 'id' });
    await expect(masked.findBy('idProject' as never, 'x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(masked.entries({ where: { accessToken: 'x' } as never }).next()).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('has every member of a plain vault: a new member must be wrapped or passed through on purpose', () => {
    const { masked, plain } = vaults();
    expect(Object.keys(masked).sort()).toEqual(Object.keys(plain).sort());
    for (const name of ['has', 'delete', 'rotate', 'status', 'verify', 'on', 'close'] as const) {
      expect(typeof masked[name]).toBe('function');
    }
    expect(masked.schema).toBe(connectionSchema);
    expect(masked.namespace).toBe('m');
  });

  it('leaves the default vault as it was: plain values, and none of the masking code on its path', async () => {
    const stacks: string[] = [];
    const spied = (): VaultStore => {
      const store = memoryStore();
      const get = store.get.bind(store);
      return Object.assign(Object.create(Object.getPrototypeOf(store)), store, {
        get: ((key) => {
          stacks.push(new Error().stack ?? '');
          return get(key);
        }) satisfies VaultStore['get'],
      }) as VaultStore;
    };
    const keyring = testKeyring();
    const explicit = createVault({ store: spied(), keyring, schema: connectionSchema, secrets: 'plain' });
    for (const vault of [vaults(spied()).plain, explicit]) {
      stacks.length = 0;
      await vault.set('c1', connection());
      const record = await vault.get('c1');
      expect(record?.accessToken).toBe(SECRETS.accessToken);
      expect(leaked(record)).toContain(SECRETS.accessToken); // the leak checks above can fail
      await vault.getEntry('c1');
      expect(stacks.length).toBeGreaterThan(0);
      for (const stack of stacks) expect(stack).not.toMatch(/masked-vault/);
    }
    stacks.length = 0;
    await vaults(spied()).masked.get('c1');
    expect(stacks.length).toBeGreaterThan(0);
    for (const stack of stacks) expect(stack).toMatch(/masked-vault/); // the check above can fail
  });

  it('masks behind telemetry too: the spans are there, the secrets are not', async () => {
    const operations: string[] = [];
    const span = { run: <T>(work: () => T) => work(), end: () => undefined };
    const telemetry: VaultTelemetry = {
      operation: (info) => {
        operations.push(info.operation);
        return span;
      },
      storeCall: () => span,
      remoteKeyCall: (_info, pending) => pending,
      cache: () => undefined,
      rotation: () => undefined,
      records: () => undefined,
    };
    const keyring = testKeyring();
    const masked = createVault({ keyring, schema: connectionSchema, telemetry, secrets: 'masked' });
    await masked.set('c1', connection());
    const record = await masked.get('c1');
    expect(leaked(record)).toEqual([]);
    expect(record?.accessToken.expose()).toBe(SECRETS.accessToken);
    expect(operations).toEqual(['set', 'get']);
  });
});

describe('masked reads of random records (property)', () => {
  /** Readable text: anything, astral characters and lone surrogates included. */
  const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('', '\ud800', '😀é', '[secret]'));
  /** A secret string: a marker no other field holds, then anything. */
  const secretText = fc.tuple(fc.uuid(), text).map(([uuid, tail]) => `SECRET-${uuid}${tail}`);
  const date = fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true });
  /** JSON the vault takes: through JSON.stringify and back, so no -0 (refused: it would come back as 0). */
  const jsonValue = fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown);
  const json = fc.dictionary(text, jsonValue, { maxKeys: 3, noNullPrototype: true });
  const shapes = [
    {
      schema: connectionSchema as AnyCredentialSchema,
      record: fc.record(
        {
          idConnection: text,
          status: text,
          providerSlug: text,
          vertical: text,
          accountUrl: text,
          tokenType: fc.constantFrom('oauth2', 'apikey', 'basic'),
          accessToken: secretText,
          refreshToken: secretText,
          expirationTimestamp: date,
          createdAt: date,
          connectionToken: secretText,
          idProject: text,
          idLinkedUser: text,
        },
        { noNullPrototype: true },
      ),
    },
    {
      schema: connectionAuthSchema as AnyCredentialSchema,
      record: fc.record(
        {
          accessToken: secretText,
          apiUrl: text,
          clientSecret: secretText,
          consumerSecret: secretText,
          emails: fc.array(text, { maxLength: 3 }),
          expiresIn: fc.integer(),
          expiryDate: date,
          key: secretText,
          meta: json,
          otherAuthInfo: fc.array(secretText, { maxLength: 3 }),
          pem: secretText,
          refreshToken: secretText,
          state: secretText,
          token: secretText,
        },
        { requiredKeys: [], noNullPrototype: true },
      ),
    },
  ];

  /** A field as a template string shows it; a free-form object that cannot be (`{ toString: null }`) as inspect shows it. */
  const asText = (value: unknown): string => {
    try {
      return String(value);
    } catch {
      return inspect(value, DEEP);
    }
  };

  /** The markers of the secret strings in `record`'s secret fields. */
  const markersOf = (schema: AnyCredentialSchema, record: Record<string, unknown>): string[] =>
    [...schema.secret]
      .flatMap((name) => record[name] ?? [])
      .map((value) => (value as string).slice(0, 'SECRET-'.length + 36));

  it.each(shapes.map((shape) => [shape.schema === connectionSchema ? 'Connection' : 'ConnectionAuth', shape]))(
    '%s: no secret shows in JSON, inspect or String, and exposeSecrets gives back the plain read',
    async (_name, { schema, record }) => {
      const store = memoryStore();
      const keyring = testKeyring();
      const plain = createVault({ store, keyring, schema, namespace: 'p' });
      const masked = createVault({ store, keyring, schema, namespace: 'p', secrets: 'masked' });
      await fc.assert(
        fc.asyncProperty(record, async (input) => {
          await plain.set('r', input);
          const read = (await masked.get('r')) as Record<string, unknown>;
          const markers = markersOf(schema, input);
          const texts = [JSON.stringify(read), inspect(read, DEEP), String(read), ...Object.values(read).map(asText)];
          expect(markers.filter((marker) => texts.some((t) => t.includes(marker)))).toEqual([]);
          expect(isDeepStrictEqual(exposeSecrets(schema, read as never), await plain.get('r'))).toBe(true);
        }),
        { numRuns: 100 },
      );
    },
  );
});
