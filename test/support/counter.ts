import { defineCredentialSchema } from '@credvault/core';
import * as v from 'valibot';

/** A record with a readable counter and a secret, for read-modify-write tests. */
export const counterSchema = defineCredentialSchema(
  v.strictObject({ count: v.pipe(v.number(), v.integer()), token: v.string(), lastWriter: v.string() }),
  { secret: ['token'] },
);
