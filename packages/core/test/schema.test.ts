import {
  type Connection,
  type ConnectionAuth,
  type ConnectionInput,
  connectionAuthSchema,
  connectionSchema,
  dateField,
  defineCredentialSchema,
  type InputOf,
  jsonObjectField,
  type OutputOf,
  REDACTED,
  redact,
  type SecretOf,
  type Where,
} from '@credvault/core';
import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { connection, connectionAuth, SECRETS } from './support/fixtures.js';
import { memoryVault } from './support/vault.js';

const stripeKey = defineCredentialSchema(
  v.strictObject({
    account: v.string(),
    apiKey: v.string(),
    webhookSecrets: v.array(v.string()),
    rotatedAt: v.optional(dateField()),
    extra: v.optional(jsonObjectField()),
  }),
  { secret: ['apiKey', 'webhookSecrets'] },
);

describe('defineCredentialSchema', () => {
  it('stores a user-defined shape, sealing exactly the fields it names', async () => {
    const { vault, raw } = memoryVault({ schema: stripeKey });
    const record = {
      account: 'acct_1',
      apiKey: 'sk_live_SECRET',
      webhookSecrets: ['whsec_A'],
      rotatedAt: '2025-01-01T00:00:00Z',
    };
    await vault.set('s1', record);
    expect(await vault.get('s1')).toStrictEqual({ ...record, rotatedAt: new Date('2025-01-01T00:00:00Z') });
    const stored = await raw('s1');
    expect(stored).toContain('acct_1');
    expect(stored).not.toContain('sk_live_SECRET');
    expect(stored).not.toContain('whsec_A');
  });

  it('refuses a secret name that is not a field, and loose schemas', () => {
    expect(() => defineCredentialSchema(v.object({ a: v.string() }), { secret: ['b' as 'a'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', path: 'b' }),
    );
    expect(() => defineCredentialSchema(v.looseObject({ a: v.string() }) as never, { secret: [] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('declares secrets once: the built-in lists match FORMAT.md (Built-in schemas)', () => {
    expect([...connectionSchema.secret]).toEqual(['accessToken', 'refreshToken', 'connectionToken']);
    expect([...connectionAuthSchema.secret].sort()).toEqual(
      [
        'accessToken',
        'clientSecret',
        'consumerSecret',
        'key',
        'otherAuthInfo',
        'pem',
        'refreshToken',
        'state',
        'token',
      ].sort(),
    );
    expect(connectionSchema.fields).toHaveLength(13);
    expect(connectionAuthSchema.fields).toHaveLength(22);
  });
});

describe('types', () => {
  it('gives Connection and ConnectionAuth the schemas’ exact types', () => {
    expectTypeOf<OutputOf<typeof connectionSchema>>().toEqualTypeOf<Connection>();
    expectTypeOf<InputOf<typeof connectionSchema>>().toEqualTypeOf<ConnectionInput>();
    expectTypeOf<OutputOf<typeof connectionAuthSchema>>().toEqualTypeOf<ConnectionAuth>();
    expectTypeOf<SecretOf<typeof connectionSchema>>().toEqualTypeOf<
      'accessToken' | 'refreshToken' | 'connectionToken'
    >();
    expectTypeOf<OutputOf<typeof stripeKey>['rotatedAt']>().toEqualTypeOf<Date | undefined>();
    expectTypeOf<InputOf<typeof stripeKey>['rotatedAt']>().toEqualTypeOf<Date | string | undefined>();
    // Secret fields cannot be filtered on.
    expectTypeOf<Where<typeof connectionSchema>>().toHaveProperty('idProject');
    expectTypeOf<keyof Where<typeof connectionSchema>>().not.toEqualTypeOf<keyof Connection>();
    // @ts-expect-error accessToken is secret
    const where: Where<typeof connectionSchema> = { accessToken: 'x' };
    expect(where).toBeDefined();
  });
});

describe('redact', () => {
  it('replaces every secret field that is present and keeps the rest', () => {
    const out = redact(connectionAuth());
    expect(out.clientSecret).toBe(REDACTED);
    expect(out.otherAuthInfo).toBe(REDACTED);
    expect(out.clientId).toBe('client-id-public');
    expect(out.meta).toEqual(connectionAuth().meta);
    expect(JSON.stringify(out)).not.toContain(SECRETS.pem);
    expect(redact({ clientId: 'x' })).toStrictEqual({ clientId: 'x' });
  });

  it('uses the given schema’s secret list', () => {
    expect(redact({ account: 'a', apiKey: 'k', webhookSecrets: [] }, stripeKey)).toStrictEqual({
      account: 'a',
      apiKey: REDACTED,
      webhookSecrets: REDACTED,
    });
    const c = redact(connection(), connectionSchema);
    expect([c.accessToken, c.refreshToken, c.connectionToken]).toEqual([REDACTED, REDACTED, REDACTED]);
    expect(c.idProject).toBe(connection().idProject);
  });
});
