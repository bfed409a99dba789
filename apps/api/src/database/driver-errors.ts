/**
 * Every question the API asks about a database error, answered for both drivers (mysql2 for MySQL /
 * MariaDB, better-sqlite3 for SQLite) in one place, so no repository or filter reads driver codes.
 */
import { CannotExecuteNotConnectedError, ConnectionIsNotSetError, QueryFailedError } from 'typeorm';

interface DriverError {
  code?: string;
  errno?: number;
}

/** The driver's own error behind TypeORM's wrapper (or the error itself when it was not wrapped). */
function driverErrorOf(error: unknown): DriverError | undefined {
  return (error instanceof QueryFailedError ? error.driverError : error) as DriverError | undefined;
}

/** The driver's error of a failed query; undefined for anything that is not a failed query. */
function failedQueryOf(error: unknown): DriverError | undefined {
  return error instanceof QueryFailedError ? (error.driverError as DriverError | undefined) : undefined;
}

/** True when a write failed on a unique index (MySQL ER_DUP_ENTRY, SQLite SQLITE_CONSTRAINT_UNIQUE). */
export function isUniqueViolation(error: unknown): boolean {
  const driverError = failedQueryOf(error);
  return (
    driverError?.code === 'ER_DUP_ENTRY' ||
    driverError?.errno === 1062 ||
    driverError?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    driverError?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** True when a write referenced a row that does not exist (MySQL ER_NO_REFERENCED_ROW_2, SQLite SQLITE_CONSTRAINT_FOREIGNKEY). */
export function isForeignKeyViolation(error: unknown): boolean {
  const driverError = failedQueryOf(error);
  return (
    driverError?.code === 'ER_NO_REFERENCED_ROW_2' ||
    driverError?.errno === 1452 ||
    driverError?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY'
  );
}

/** Deadlock or lock-wait timeout (MySQL/MariaDB), busy database (SQLite): the transaction may simply be run again. */
export function isTransientTransactionError(error: unknown): boolean {
  const driverError = driverErrorOf(error);
  const code = driverError?.code ?? '';
  return (
    code === 'ER_LOCK_DEADLOCK' ||
    code === 'ER_LOCK_WAIT_TIMEOUT' ||
    driverError?.errno === 1213 ||
    driverError?.errno === 1205 ||
    code.startsWith('SQLITE_BUSY')
  );
}

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
  return /Pool is closed|Connection is not established|database connection is not open|Can't add new command when connection is in closed state/i.test(
    message,
  );
}
