import { type ConvertCustomConfig, customType, type PgCustomColumnBuilder } from 'drizzle-orm/pg-core';
import { type BlindIndexToken, envelopeToDriver, type SealedText, tokenToDriver } from './column-values.js';

export * from './index.js';

/** The column builder of {@link sealed} on PostgreSQL. */
export type PgSealedBuilder<TName extends string> = PgCustomColumnBuilder<
  ConvertCustomConfig<TName, { data: SealedText; driverData: string }>
>;
/** The column builder of {@link blindIndex} on PostgreSQL. */
export type PgBlindIndexBuilder<TName extends string> = PgCustomColumnBuilder<
  ConvertCustomConfig<TName, { data: BlindIndexToken; driverData: string }>
>;

/**
 * A `text` column of sealed credentials: `credential: sealed('credential')`. Selects give its
 * {@link SealedText} (open the rows with `creds.open`); writes take only what `creds.seal` made:
 * a record or any other string is refused with `VaultError` `INVALID_ARGUMENT` before the query
 * is sent. Nullable unless you add `.notNull()`.
 */
export function sealed<TName extends string>(name: TName): PgSealedBuilder<TName> {
  return customType<{ data: SealedText; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => envelopeToDriver(value, name),
  })<TName>(name);
}

/**
 * A `text` column for one field's blind-index tokens: `accessTokenIx: blindIndex('access_token_ix')`.
 * `creds.seal` fills it; look a row up with `creds.where(field, value)`. Anything but a token
 * (e.g. the token's plaintext) is refused with `VaultError` `INVALID_ARGUMENT`. Give it an index
 * (`index().on(t.accessTokenIx)`) if you look rows up by it.
 */
export function blindIndex<TName extends string>(name: TName): PgBlindIndexBuilder<TName> {
  return customType<{ data: BlindIndexToken; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => tokenToDriver(value, name),
  })<TName>(name);
}
