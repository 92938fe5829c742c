import { blindIndex, sealed } from '@credvault/drizzle/pg';
import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';

/** The application's table (sql/0001 and sql/0002), as Drizzle sees it. */
export const connections = pgTable(
  'connections',
  {
    id: uuid('id').primaryKey(),
    userId: text('user_id').notNull(),
    /** A cv1 envelope bound to the row's id (plain JSON until migrated): write it with creds.seal, read it with creds.open. */
    credential: sealed('credential'),
    /** The access token's blind-index term: creds.seal fills it, creds.find looks a row up by it. */
    accessTokenIx: blindIndex('access_token_ix'),
  },
  (t) => [index('connections_access_token_ix').on(t.accessTokenIx)],
);
