import * as v from 'valibot';
import { dateField, type JsonObject, jsonObjectField } from './fields.js';
import { type CredentialSchema, defineCredentialSchema } from './schema.js';

/** An authorized user's credentials for one integration, as `get` returns it. Every field is optional. */
export interface ConnectionAuth {
  /** Secret. */
  accessToken?: string | undefined;
  apiUrl?: string | undefined;
  appId?: string | undefined;
  authorizeUrl?: string | undefined;
  clientId?: string | undefined;
  /** Secret. */
  clientSecret?: string | undefined;
  consumerKey?: string | undefined;
  /** Secret. */
  consumerSecret?: string | undefined;
  emails?: string[] | undefined;
  expiresIn?: number | undefined;
  expiryDate?: Date | undefined;
  /** Secret. */
  key?: string | undefined;
  /** Free-form JSON object. */
  meta?: JsonObject | undefined;
  name?: string | undefined;
  /** Credentials for auth type "other", in `token_names` order. Secret. */
  otherAuthInfo?: string[] | undefined;
  /** Secret. */
  pem?: string | undefined;
  /** Secret. */
  refreshToken?: string | undefined;
  refreshTokenExpiresDate?: Date | undefined;
  refreshTokenExpiresIn?: number | undefined;
  /** OAuth state. Secret. */
  state?: string | undefined;
  /** Secret. */
  token?: string | undefined;
  tokenUrl?: string | undefined;
}

/** What `set` accepts for a {@link ConnectionAuth}: dates may also be ISO-8601 strings. */
export type ConnectionAuthInput = Omit<ConnectionAuth, 'expiryDate' | 'refreshTokenExpiresDate'> & {
  expiryDate?: Date | string | undefined;
  refreshTokenExpiresDate?: Date | string | undefined;
};

/** The secret fields of a {@link ConnectionAuth}. */
export type ConnectionAuthSecret =
  | 'accessToken'
  | 'refreshToken'
  | 'clientSecret'
  | 'consumerSecret'
  | 'pem'
  | 'key'
  | 'token'
  | 'otherAuthInfo'
  | 'state';

const number = v.pipe(v.number(), v.finite());

/** The ConnectionAuth shape: 22 optional fields, nine of them sealed. */
export const connectionAuthSchema: CredentialSchema<ConnectionAuthInput, ConnectionAuth, ConnectionAuthSecret> =
  defineCredentialSchema(
    v.strictObject({
      accessToken: v.optional(v.string()),
      apiUrl: v.optional(v.string()),
      appId: v.optional(v.string()),
      authorizeUrl: v.optional(v.string()),
      clientId: v.optional(v.string()),
      clientSecret: v.optional(v.string()),
      consumerKey: v.optional(v.string()),
      consumerSecret: v.optional(v.string()),
      emails: v.optional(v.array(v.string())),
      expiresIn: v.optional(number),
      expiryDate: v.optional(dateField()),
      key: v.optional(v.string()),
      meta: v.optional(jsonObjectField()),
      name: v.optional(v.string()),
      otherAuthInfo: v.optional(v.array(v.string())),
      pem: v.optional(v.string()),
      refreshToken: v.optional(v.string()),
      refreshTokenExpiresDate: v.optional(dateField()),
      refreshTokenExpiresIn: v.optional(number),
      state: v.optional(v.string()),
      token: v.optional(v.string()),
      tokenUrl: v.optional(v.string()),
    }),
    {
      secret: [
        'accessToken',
        'refreshToken',
        'clientSecret',
        'consumerSecret',
        'pem',
        'key',
        'token',
        'otherAuthInfo',
        'state',
      ],
    },
  );
