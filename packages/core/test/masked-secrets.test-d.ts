/**
 * The types of masked reads (issue 32, item 5), checked by `tsc -p tsconfig.test.json`: a
 * masked vault's records hold `Secret`s in their secret fields (optional fields still optional),
 * writes take them back, and every existing use of `createVault` and `Vault<S>` keeps its type.
 */
import {
  type Connection,
  type ConnectionAuth,
  connectionAuthSchema,
  connectionSchema,
  createVault,
  exposeSecrets,
  type Masked,
  type MaskedEntry,
  type MaskedInput,
  type MaskedVault,
  maskSecrets,
  type OutputOf,
  Secret,
  type SecretsMode,
  type Vault,
  type VaultOptions,
} from '@credvault/core';
import { expectTypeOf } from 'vitest';
import { testKeyring } from './support/vault.js';

type C = typeof connectionSchema;
type A = typeof connectionAuthSchema;
const keyring = testKeyring();

// Masked<S>: secret fields as Secret<type>, the others as they are, optional ones still optional.
expectTypeOf<Masked<C>['accessToken']>().toEqualTypeOf<Secret<string>>();
expectTypeOf<Masked<C>['connectionToken']>().toEqualTypeOf<Secret<string>>();
expectTypeOf<Masked<C>['idProject']>().toEqualTypeOf<string>();
expectTypeOf<Masked<C>['createdAt']>().toEqualTypeOf<Date>();
expectTypeOf<keyof Masked<C>>().toEqualTypeOf<keyof Connection>();
expectTypeOf<Pick<Masked<A>, 'accessToken' | 'otherAuthInfo' | 'apiUrl'>>().toEqualTypeOf<{
  accessToken?: Secret<string> | undefined;
  otherAuthInfo?: Secret<string[]> | undefined;
  apiUrl?: string | undefined;
}>();
expectTypeOf<Record<never, never>>().toExtend<Masked<A>>();
expectTypeOf<keyof Masked<A>>().toEqualTypeOf<keyof ConnectionAuth>();
expectTypeOf(new Secret('x').expose()).toEqualTypeOf<string>();
expectTypeOf(new Secret(['a']).expose()).toEqualTypeOf<string[]>();

// The helpers.
declare const plainRecord: Connection;
expectTypeOf(maskSecrets(connectionSchema, plainRecord)).toEqualTypeOf<Masked<C>>();
expectTypeOf(exposeSecrets(connectionSchema, maskSecrets(connectionSchema, plainRecord))).toEqualTypeOf<Connection>();
expectTypeOf<Masked<C>>().toExtend<MaskedInput<C>>();
expectTypeOf<Masked<A>>().toExtend<MaskedInput<A>>();

// createVault: masked only when asked for in so many words.
const masked = createVault({ keyring, schema: connectionSchema, secrets: 'masked' });
expectTypeOf(masked).toEqualTypeOf<MaskedVault<C>>();
expectTypeOf(masked.get('c')).resolves.toEqualTypeOf<Masked<C> | undefined>();
expectTypeOf(masked.getEntry('c')).resolves.toEqualTypeOf<MaskedEntry<C> | undefined>();
expectTypeOf(masked.findBy('connectionToken', 'x')).resolves.toEqualTypeOf<
  { id: string; record: Masked<C> } | undefined
>();
expectTypeOf(masked.refresh('c', (current) => current)).resolves.toEqualTypeOf<Masked<C>>();
expectTypeOf(masked.entries()).toEqualTypeOf<AsyncGenerator<[string, Masked<C>], void, undefined>>();
expectTypeOf(createVault({ keyring, schema: connectionSchema })).toEqualTypeOf<Vault<C>>();
expectTypeOf(createVault({ keyring, schema: connectionSchema, secrets: 'plain' })).toEqualTypeOf<Vault<C>>();
expectTypeOf(createVault({ keyring, schema: connectionAuthSchema, secrets: 'masked' })).toEqualTypeOf<MaskedVault<A>>();
declare const mode: SecretsMode;
expectTypeOf(createVault({ keyring, schema: connectionSchema, secrets: mode })).toEqualTypeOf<
  Vault<C> | MaskedVault<C>
>();
// Existing code that passes VaultOptions<S> keeps getting a Vault<S>: such options cannot say 'masked'.
declare const options: VaultOptions<C>;
expectTypeOf(createVault(options)).toEqualTypeOf<Vault<C>>();
// @ts-expect-error VaultOptions<S> is plain; VaultOptions<S, 'masked'> says otherwise.
const notPlain: VaultOptions<C> = { keyring, schema: connectionSchema, secrets: 'masked' };
// @ts-expect-error an unknown mode
createVault({ keyring, schema: connectionSchema, secrets: 'redacted' });

// A masked vault has every member of a vault (a new one must be handled on purpose).
expectTypeOf<keyof MaskedVault<C>>().toEqualTypeOf<keyof Vault<C>>();

async function uses(): Promise<void> {
  const record = await masked.get('c');
  if (record === undefined) return;
  // @ts-expect-error a masked secret is not a string
  const token: string = record.accessToken;
  const exposed: string = record.accessToken.expose();
  // Written back as read, with plain or wrapped secrets.
  await masked.set('c', record);
  await masked.set('c', { ...record, accessToken: 'new' });
  await masked.setMany([['c', { ...record, refreshToken: new Secret('new') }]]);
  // @ts-expect-error a Secret in a readable field
  await masked.set('c', { ...record, idProject: new Secret('p') });
  await masked.update('c', (current) => current && { ...current, status: 'paused' });
  await masked.update('c', (current) => {
    expectTypeOf(current).toEqualTypeOf<Masked<C> | undefined>();
    return undefined;
  });
  await masked.refresh('c', async (current) => {
    expectTypeOf(current).toEqualTypeOf<Masked<C>>();
    return { ...current, accessToken: new Secret('fresh'), expirationTimestamp: new Date() };
  });
  // The plain vault keeps its plain types.
  const plain = createVault({ keyring, schema: connectionSchema });
  expectTypeOf(plain.get('c')).resolves.toEqualTypeOf<OutputOf<C> | undefined>();
  // @ts-expect-error a plain vault takes no Secret
  await plain.set('c', { ...record, createdAt: new Date(), expirationTimestamp: new Date() });
  expectTypeOf([token, exposed, notPlain]).toBeArray();
}
expectTypeOf(uses).toBeFunction();
