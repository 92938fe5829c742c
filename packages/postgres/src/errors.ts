import { VaultError } from '@credvault/core';

/** Reasons by SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
const BY_SQLSTATE: Record<string, string> = {
  '28P01': 'wrong password (password authentication failed)',
  '28000': 'authentication refused (no pg_hba.conf entry or role cannot log in)',
  '3D000': 'the database does not exist',
  '3F000': 'the schema does not exist',
  '25006': 'the server or transaction is read-only (a hot-standby replica or default_transaction_read_only)',
  '57014': 'statement timeout (the statement ran longer than the timeout and was cancelled)',
  '55P03': 'lock timeout (a row or table is locked by another session)',
  '40P01': 'deadlock detected',
  '53300': 'too many connections (the server refused a new connection)',
  '57P01': 'the server is shutting down',
  '57P02': 'the server crashed',
  '57P03': 'the server is starting up or cannot accept connections now',
  '42501': 'permission denied',
  '42P01': 'the table does not exist',
  '53100': 'the disk is full',
  '42703': 'a column does not exist (dropped or renamed since the store opened?)',
  '42P10': "no unique index or primary key on the id column (missingRows: 'insert' needs one)",
  '23502':
    "a NOT NULL column got no value (missingRows: 'insert' writes the id and envelope only: give the others defaults)",
  '22001': 'a value is too long for its column',
};

/** Node network error codes that mean the server cannot be reached. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** What the pool looked like when an operation failed, to tell an exhausted pool from a dead server. */
export interface PoolState {
  readonly exhausted: boolean;
}

/** The reason for an operator: by SQLSTATE, network code or pg message; never the error's own text verbatim. */
export function reasonOf(cause: unknown, pool: PoolState): string {
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && BY_SQLSTATE[code] !== undefined) return BY_SQLSTATE[code];
  if (typeof code === 'string' && UNREACHABLE.has(code)) return `the server is down or unreachable (${code})`;
  const message = cause instanceof Error ? cause.message : String(cause);
  if (message.includes('timeout exceeded when trying to connect') || message.includes('no connection within')) {
    return pool.exhausted
      ? 'connection pool exhausted (every connection is busy; raise the pool max or release clients)'
      : 'connection timeout (the server did not accept a connection in time)';
  }
  if (message.includes('Query read timeout') || message.includes('timed out after')) {
    return pool.exhausted
      ? 'connection pool exhausted (every connection is busy; raise the pool max or release clients)'
      : 'statement timeout (no answer from the server in time)';
  }
  if (message.includes('does not support SSL')) return 'the server does not support TLS, but ssl was requested';
  if (message.includes('Connection terminated')) return 'the connection was terminated (server down or restarted)';
  if (message.includes('the store is closed') || message.includes('Cannot use a pool after calling end')) {
    return 'the store is closed';
  }
  if (typeof code === 'string') return `PostgreSQL error ${code}`;
  return 'unexpected error';
}

/** Turns a pg error into `STORE_FAILED` naming the operation, the server (without password) and the reason. */
export function postgresError(operation: string, where: string, cause: unknown, pool: PoolState): VaultError {
  if (cause instanceof VaultError) return cause;
  return new VaultError('STORE_FAILED', `postgres ${operation} on ${where} failed: ${reasonOf(cause, pool)}`, {
    cause,
  });
}

/** A URL with its password replaced by `***`, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    parsed.search = ''; // query parameters may carry sslpassword or password
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@').replace(/\?.*$/, '');
  }
}
