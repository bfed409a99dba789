import { setTimeout as sleep } from 'node:timers/promises';
import { QueryFailedError } from 'typeorm';

/** Deadlock or lock-wait timeout (MySQL/MariaDB), busy database (SQLite): the transaction may simply be run again. */
export function isTransientTransactionError(error: unknown): boolean {
  const driverError = (error instanceof QueryFailedError ? error.driverError : error) as { code?: string; errno?: number } | undefined;
  const code = driverError?.code ?? '';
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || driverError?.errno === 1213 || driverError?.errno === 1205 || code.startsWith('SQLITE_BUSY');
}

/** A short random pause so that retrying transactions do not collide again in lockstep. */
export function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(200, 5 * 2 ** attempt);
  return sleep(ms);
}
