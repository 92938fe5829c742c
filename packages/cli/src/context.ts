import { type AnyCredentialSchema, createVault, type Vault, VaultError, type VaultOptions } from '@credvault/core';
import { type CliKeys, loadKeyring } from './keys.js';
import { openStoreFromFlags, type StoreFlags } from './open-store.js';
import { schemaNamed } from './schemas.js';
import { tableSpecOf } from './table-flags.js';

/** Options every store command takes (the store flags: see {@link openStoreFromFlags}). */
export interface StoreCommandOptions extends StoreFlags {
  readonly namespace: string;
  readonly keysFile?: string;
  readonly json?: boolean;
  /** `--kms-timeout`: the deadline of each KMS/HSM call, in ms. */
  readonly kmsTimeout?: number;
  readonly schema?: string;
  /** The readable field naming each record's tenant (vaults with tenant keys). */
  readonly tenantField?: string;
}

/** Where a command writes: stdout for results, stderr for progress and errors. */
export interface Io {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

/**
 * Opens the vault a command works on: the store spec and keys first, so that a missing one fails
 * before any connection. `extra`: vault options of one command (`migrate`'s legacy readers).
 */
export async function openVault(
  options: StoreCommandOptions,
  readOnly: boolean,
  extra: Pick<VaultOptions<AnyCredentialSchema>, 'legacy'> = {},
): Promise<{ vault: Vault<AnyCredentialSchema>; keyring: CliKeys }> {
  const schema = schemaNamed(options.schema);
  const table = tableSpecOf(options); // a usage error before the keys are read
  // The fields with index columns: the vault keeps their terms right on every write (migrate included).
  const index = Object.keys(table?.indexColumns ?? {});
  const keyring = await loadKeyring(options.keysFile, process.env, options.kmsTimeout);
  let store: Awaited<ReturnType<typeof openStoreFromFlags>>;
  try {
    store = await openStoreFromFlags(options, { readOnly });
  } catch (error) {
    await keyring.close();
    throw error;
  }
  const tenant = options.tenantField;
  if (tenant !== undefined && (!schema.fields.includes(tenant) || schema.secret.has(tenant))) {
    await Promise.all([keyring.close(), store.close?.()]);
    throw new VaultError(
      'INVALID_ARGUMENT',
      `--tenant-field must name a readable field of the schema, not "${tenant}"`,
      {
        path: 'tenantField',
      },
    );
  }
  let vault: Vault<AnyCredentialSchema>;
  try {
    vault = createVault({
      store,
      keyring,
      schema,
      namespace: options.namespace,
      ...extra,
      ...(index.length === 0 ? {} : { index: index as never }),
      ...(tenant === undefined ? {} : { tenant: tenant as never }),
    });
  } catch (error) {
    await Promise.all([keyring.close(), store.close?.()]);
    throw error; // e.g. an --index-column field that is not a secret field of --schema
  }
  // Closing the vault also closes the keyring: cached data keys wiped, HSM sessions logged out.
  const close = async () => {
    try {
      await vault.close();
    } finally {
      await keyring.close();
    }
  };
  return { vault: Object.assign(Object.create(vault) as Vault<AnyCredentialSchema>, { close }), keyring };
}

/** Prints `value` as JSON on one line. */
export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}
