import { CannotExecuteNotConnectedError, ConnectionIsNotSetError, QueryFailedError } from 'typeorm';

/** Driver error codes that mean "the database is not reachable right now", not "this request is wrong". */
const UNAVAILABLE_CODES = new Set([
  // network / MySQL server gone
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'ER_LOCK_WAIT_TIMEOUT',
  // SQLite: another writer held the lock past the busy timeout
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
]);

/**
 * True when an error means the database cannot answer right now (connection refused or lost, server
 * shutting down, lock timeout, pool closed). The API answers those with 503 — retryable — instead of
 * 500, and never lets them turn into a 401 in the JWT check.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof CannotExecuteNotConnectedError || error instanceof ConnectionIsNotSetError) return true;
  const candidate = error instanceof QueryFailedError ? (error.driverError as unknown) : error;
  const code = (candidate as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  // A closed pool (mysql2 / TypeORM) or a closed handle (better-sqlite3). Read the message without
  // `instanceof Error`: errors made by native code belong to another realm when Jest runs the app in its sandbox.
  const message = (candidate as { message?: unknown } | null)?.message;
  if (typeof message !== 'string') return false;
  return /Pool is closed|Connection is not established|database connection is not open|Can't add new command when connection is in closed state/i.test(message);
}
