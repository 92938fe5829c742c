import { isVaultError, REMOTE_TIMEOUT_MS, VaultError } from '@credvault/core';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { type KeygenOptions, keygen } from './commands/keygen.js';
import { migrate } from './commands/migrate.js';
import { rotate } from './commands/rotate.js';
import { status } from './commands/status.js';
import { rotateTenant, shredTenant } from './commands/tenant.js';
import { verify } from './commands/verify.js';
import type { Io } from './context.js';
import { collectIndexColumn } from './table-flags.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
}

/** The deadline of one KMS/HSM call: 1 to 2^31 - 1 ms (the longest timer). */
function kmsTimeout(value: string): number {
  const n = positiveInt(value);
  if (n > 2 ** 31 - 1) throw new InvalidArgumentError('must be at most 2147483647');
  return n;
}

const KMS_TIMEOUT_HELP = 'how long one KMS/HSM call may take before it fails with KEY_UNAVAILABLE (ms)';

function storeCommand(program: Command, name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .option(
      '-s, --store <spec>',
      'where the records are: sqlite:<path>, redis://host:port, redis+cluster://host:port,host:port or postgres://user@host/db (visible to ps: a URL with a password goes in --store-file or CREDVAULT_STORE)',
    )
    .option('--store-file <path>', 'read the store URL from this file (one line) instead of --store')
    .option(
      '--table <name>',
      "the records are in your own table (postgres: or schema.table; sqlite:) of the store's database",
    )
    .option('--id-column <col>', "with --table: the table's primary key column")
    .option('--envelope-column <col>', 'with --table: the nullable text column holding each envelope')
    .option(
      '--index-column <field=column>',
      'with --table: the column holding the blind-index token of a field (repeat per field)',
      collectIndexColumn,
    )
    .option(
      '--key-store <spec>',
      "with --table: a store (as --store) for the vault's own records: index key, tenant keys, leases (visible to ps: a URL with a password goes in --key-store-file)",
    )
    .option(
      '--key-store-file <path>',
      'with --table: read the key store URL from this file (one line) instead of --key-store',
    )
    .option('-n, --namespace <name>', 'the vault namespace', 'default')
    .option('-k, --keys-file <path>', 'read the keyring from this file instead of CREDVAULT_KEYS')
    .option('--timeout <ms>', 'Redis and PostgreSQL operation timeout', positiveInt, 5000)
    .option('--kms-timeout <ms>', KMS_TIMEOUT_HELP, kmsTimeout, REMOTE_TIMEOUT_MS)
    .option('--tenant-field <field>', "the readable field naming each record's tenant, for vaults with tenant keys")
    .option('--json', 'print a JSON report instead of text');
}

/** Builds the `credvault` program, writing to `io`; every action resolves to its exit code. */
export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('credvault')
    .description('Manage a credvault store: make keys, rotate them with the service running, check what is stored.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .addHelpText(
      'after',
      `
The store comes from --store, else --store-file <path> (the URL on one line), else CREDVAULT_STORE;
--store and --store-file together are an error. A URL with a password belongs in the file or the
variable: the command line is visible to every user of the machine (ps).
Keys come from CREDVAULT_KEYS="kid2:<base64url>,kid1:<base64url>" (the first is the primary) or
--keys-file <path> (refused when group or others can access the file: chmod 600 it).
An entry may also be kid:wrapped:<provider>:<keyRef>:<base64url> (a key encrypted by a KMS/HSM, opened once)
or kid:remote:<provider>:<keyRef> (the KMS/HSM wraps every data key); providers pkcs11 and aws-kms are
configured by CREDVAULT_PKCS11_MODULE/_TOKEN/_PIN and the AWS environment (their READMEs tell more).
Rotation: add the new key (last), deploy; promote it (first), deploy; credvault rotate; credvault status;
retire the old key once it counts zero records. The README of @credvault/cli walks through it.`,
    );

  program
    .command('keygen')
    .description('print a new key entry "kid:base64url" for CREDVAULT_KEYS (or a wrapped or remote entry)')
    .option('--kid <kid>', 'key id ([A-Za-z0-9_-], 1-64 characters); default k<yyyymmdd>')
    .option(
      '--wrap <provider:keyRef>',
      'encrypt the new key by a KMS/HSM key: pkcs11:<label> or aws-kms:<key id/alias>',
    )
    .option('--remote <provider:keyRef>', 'an entry for a KMS/HSM key that wraps every data key itself')
    .option('--kms-timeout <ms>', KMS_TIMEOUT_HELP, kmsTimeout, REMOTE_TIMEOUT_MS)
    .action(async (options: KeygenOptions) => setExit(await keygen(io, options)));

  storeCommand(program, 'rotate', 'rewrap every record to the primary key; resumable, safe while the service runs')
    .option('--dry-run', 'open and rewrap everything but write nothing')
    .option('--batch-size <n>', 'records per batch', positiveInt, 256)
    .addOption(new Option('--reencrypt', 'also seal the secrets again under fresh data keys (suspected data-key leak)'))
    .option(
      '--workers [n]',
      'rewrap on n worker threads (default: one per core but one); every key must be a local kid:<base64url> entry',
      positiveInt,
    )
    .option(
      '--join',
      'work on this rotation together with every process (on any machine) that joins it: ranges are handed out through store leases; each process ends when every range is done, with the whole run in its report',
    )
    .option('--run-id <id>', 'with --join: the run to join (default: the primary kid)')
    .option('--range-size <n>', 'with --join: records per range handed out', positiveInt)
    .option('--lease-ms <ms>', 'with --join: how long a dead process holds its range', positiveInt)
    .action(async (options) => setExit(await rotate(io, options)));

  storeCommand(program, 'status', 'count records per key id, to know when an old key can be retired').action(
    async (options) => setExit(await status(io, options)),
  );

  storeCommand(program, 'verify', 'open and validate every record; exit 1 if any fails')
    .addOption(
      new Option('--schema <name>', 'the record shape')
        .choices(['connection', 'connection-auth'])
        .default('connection'),
    )
    .action(async (options) => setExit(await verify(io, options)));

  storeCommand(
    program,
    'migrate',
    'rewrite every value stored before credvault as an envelope; resumable, safe while the service runs',
  )
    .addOption(
      new Option('--legacy <kind>', 'how the old values read: plain JSON, hand-rolled AES-256-GCM, or your own module')
        .choices(['plaintext-json', 'aes-gcm', 'module'])
        .default('plaintext-json'),
    )
    .option('--legacy-key-file <path>', 'aes-gcm: the 32-byte key as hex or base64 (else CREDVAULT_LEGACY_KEY)')
    .option('--legacy-prefix <text>', 'aes-gcm: what every old value starts with, e.g. enc:v1: ("" for none)')
    .addOption(
      new Option('--legacy-encoding <encoding>', 'aes-gcm: how iv, ciphertext and tag are written')
        .choices(['hex', 'base64', 'base64url'])
        .default('hex'),
    )
    .addOption(
      new Option('--legacy-layout <layout>', 'aes-gcm: the parts after the prefix')
        .choices(['iv:ciphertext:tag', 'iv:tag:ciphertext', 'iv:ciphertext+tag'])
        .default('iv:ciphertext:tag'),
    )
    .option(
      '--legacy-module <path>',
      'module: an ES module whose default export is a LegacyReader { name, read(stored, id) }',
    )
    .addOption(
      new Option('--schema <name>', 'the record shape')
        .choices(['connection', 'connection-auth'])
        .default('connection'),
    )
    .option('--dry-run', 'read and validate every legacy value but write nothing')
    .option('--batch-size <n>', 'records per batch', positiveInt, 500)
    .option(
      '--workers [n]',
      'seal on n worker threads (default: one per core but one) while this thread reads, validates and writes; every key must be a local kid:<base64url> entry',
      positiveInt,
    )
    .action(async (options) => setExit(await migrate(io, options)));

  const tenant = program.command('tenant').description("tenant keys: rotate one tenant's key, or shred a tenant");
  storeCommand(
    tenant,
    'rotate',
    'give a tenant a new key and rewrap its records; resumable, safe while the service runs',
  )
    .argument('<tenant>', 'the tenant (the value of --tenant-field)')
    .option('--dry-run', "open and rewrap the tenant's records but write nothing")
    .option('--batch-size <n>', 'records per batch', positiveInt, 256)
    .option('--reencrypt', "also seal the tenant's secrets again under fresh data keys (suspected data-key leak)")
    .option(
      '--instances-cache-ttl <ms>',
      'the longest tenantCacheTtlMs of any instance (default: wait 11 minutes before retiring the old key)',
      wholeNumber,
    )
    .action(async (name: string, options) => setExit(await rotateTenant(io, name, requireTenantField(options))));
  storeCommand(tenant, 'shred', "destroy a tenant's key, then delete its records (crypto-shredding)")
    .argument('<tenant>', 'the tenant (the value of --tenant-field)')
    .option('--yes', 'really shred: this cannot be undone')
    .action(async (name: string, options) => setExit(await shredTenant(io, name, requireTenantField(options))));

  return program;
}

function requireTenantField<T extends { tenantField?: string }>(options: T): T & { tenantField: string } {
  if (options.tenantField === undefined) {
    throw new VaultError('INVALID_ARGUMENT', 'tenant commands need --tenant-field <field> (e.g. idProject)', {
      path: 'tenantField',
    });
  }
  return options as T & { tenantField: string };
}

/** Runs the CLI with `argv` (as `process.argv`) and returns the exit code. */
export async function main(argv: readonly string[], io: Io = process): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv as string[]);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (isVaultError(error)) {
      io.stderr.write(`credvault: ${error.message}\n`);
      return error.code === 'INVALID_ARGUMENT' || error.code === 'INVALID_KEYRING' ? 2 : 1;
    }
    io.stderr.write(`credvault: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
