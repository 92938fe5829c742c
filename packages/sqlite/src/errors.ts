import { VaultError } from '@credvault/core';

const HINTS: Record<string, string> = {
  SQLITE_BUSY: 'the database is locked by another connection (busy timeout exceeded)',
  SQLITE_LOCKED: 'the database table is locked',
  SQLITE_READONLY: 'the database is read-only (file permissions, a read-only mount, or readOnly: true)',
  SQLITE_CANTOPEN: 'the database file cannot be opened (missing directory or no permission)',
  SQLITE_FULL: 'the disk is full',
  SQLITE_CORRUPT: 'the database file is corrupt',
  SQLITE_NOTADB: 'the file is not a SQLite database',
};

/** Turns a sqlite3 error into `STORE_FAILED` with a message an operator can act on. */
export function sqliteError(operation: string, path: string, cause: unknown): VaultError {
  if (cause instanceof VaultError) return cause;
  const code = (cause as { code?: unknown } | null)?.code;
  const hint = typeof code === 'string' ? (HINTS[code] ?? code) : 'unexpected error';
  return new VaultError('STORE_FAILED', `sqlite ${operation} on ${path} failed: ${hint}`, { cause });
}
