import * as v from 'valibot';
import { dateField } from './fields.js';
import { type CredentialSchema, defineCredentialSchema } from './schema.js';

/** How a connection authenticates. */
export type TokenType = 'oauth2' | 'apikey' | 'basic';

/** A user's connection to a third-party provider, as `get` returns it. */
export interface Connection {
  /** Unique identifier of the connection. */
  idConnection: string;
  /** Status of the connection, e.g. `active`. */
  status: string;
  /** Slug of the provider, e.g. `hubspot`. */
  providerSlug: string;
  /** Vertical category, e.g. `crm`. */
  vertical: string;
  /** URL of the account. */
  accountUrl: string;
  /** Authentication strategy. */
  tokenType: TokenType;
  /** Access token. Secret. */
  accessToken: string;
  /** Refresh token. Secret. */
  refreshToken: string;
  /** When the access token expires. */
  expirationTimestamp: Date;
  /** When the connection was created. */
  createdAt: Date;
  /** Bearer token callers present to pick this connection. Secret. */
  connectionToken: string;
  /** Project the connection belongs to. */
  idProject: string;
  /** Linked user the connection belongs to. */
  idLinkedUser: string;
}

/** What `set` accepts for a {@link Connection}: dates may also be ISO-8601 strings. */
export type ConnectionInput = Omit<Connection, 'expirationTimestamp' | 'createdAt'> & {
  expirationTimestamp: Date | string;
  createdAt: Date | string;
};

/** The secret fields of a {@link Connection}. */
export type ConnectionSecret = 'accessToken' | 'refreshToken' | 'connectionToken';

/**
 * The Connection shape: 13 required fields; `accessToken`, `refreshToken` and
 * `connectionToken` are sealed, the rest readable and authenticated.
 */
export const connectionSchema: CredentialSchema<ConnectionInput, Connection, ConnectionSecret> = defineCredentialSchema(
  v.strictObject({
    idConnection: v.string(),
    status: v.string(),
    providerSlug: v.string(),
    vertical: v.string(),
    accountUrl: v.string(),
    tokenType: v.picklist(['oauth2', 'apikey', 'basic']),
    accessToken: v.string(),
    refreshToken: v.string(),
    expirationTimestamp: dateField(),
    createdAt: dateField(),
    connectionToken: v.string(),
    idProject: v.string(),
    idLinkedUser: v.string(),
  }),
  { secret: ['accessToken', 'refreshToken', 'connectionToken'] },
);
