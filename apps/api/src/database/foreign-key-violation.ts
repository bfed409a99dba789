import { QueryFailedError } from 'typeorm';

/** True when a write referenced a row that does not exist (MySQL ER_NO_REFERENCED_ROW_2, SQLite SQLITE_CONSTRAINT_FOREIGNKEY). */
export function isForeignKeyViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; errno?: number } | undefined;
  return driverError?.code === 'ER_NO_REFERENCED_ROW_2' || driverError?.errno === 1452 || driverError?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
