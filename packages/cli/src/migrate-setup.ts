/**
 * What each worker of `credvault migrate --workers` imports (the pool's `migrate` option): the
 * schema and legacy readers the command's flags name, built in the worker as the command built
 * them in the main thread. Internal.
 */
import type { MigrateSetup } from '@credvault/worker-pool';
import { type LegacyFlags, legacyReaders } from './legacy-flags.js';
import { schemaNamed } from './schemas.js';

/** What a worker needs: `--schema`, the legacy flags and the legacy key's variable, as the command read them. */
export interface MigrateSetupData {
  readonly schema?: string;
  readonly legacy: LegacyFlags;
  readonly env: { readonly CREDVAULT_LEGACY_KEY?: string };
}

/** The worker's schema and legacy readers, from the command's flags and environment. */
export default async function migrateSetup(data: MigrateSetupData): Promise<MigrateSetup> {
  return { schema: schemaNamed(data.schema), legacy: await legacyReaders(data.legacy, data.env) };
}

/** This module's URL, for the pool's `migrate.module` (the `.ts` source under tsx, else the built `.js`). */
export const MIGRATE_SETUP_URL: URL = new URL(import.meta.url);
