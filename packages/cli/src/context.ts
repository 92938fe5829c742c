import {
  type AnyCredentialSchema,
  connectionAuthSchema,
  connectionSchema,
  createVault,
  type Keyring,
  type Vault,
  VaultError,
} from '@credvault/core';
import { loadKeyring } from './keys.js';
import { openStore } from './store-spec.js';

/** Options every store command takes. */
export interface StoreCommandOptions {
  readonly store: string;
  readonly namespace: string;
  readonly keysFile?: string;
  readonly json?: boolean;
  readonly timeout?: number;
  readonly schema?: string;
}

/** Where a command writes: stdout for results, stderr for progress and errors. */
export interface Io {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

const SCHEMAS: Record<string, AnyCredentialSchema> = {
  connection: connectionSchema,
  'connection-auth': connectionAuthSchema,
};

/** Opens the vault a command works on: keys first, so that a missing key fails before any connection. */
export async function openVault(
  options: StoreCommandOptions,
  readOnly: boolean,
): Promise<{ vault: Vault<AnyCredentialSchema>; keyring: Keyring }> {
  const keyring = await loadKeyring(options.keysFile);
  const schema = SCHEMAS[options.schema ?? 'connection'];
  if (schema === undefined) {
    throw new VaultError('INVALID_ARGUMENT', `--schema must be one of ${Object.keys(SCHEMAS).join(', ')}`, {
      path: 'schema',
    });
  }
  const store = await openStore(options.store, {
    readOnly,
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
  });
  return { vault: createVault({ store, keyring, schema, namespace: options.namespace }), keyring };
}

/** Prints `value` as JSON on one line. */
export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}
