import type { DataSource } from 'typeorm';

/**
 * `at` as a bound parameter of a raw condition on a datetime column: SQLite keeps TypeORM's datetime text
 * (`YYYY-MM-DD HH:MM:SS.SSS`, UTC, which compares correctly as a string; better-sqlite3 cannot bind a
 * Date), MySQL takes the Date (the pool's timezone is UTC).
 */
export function databaseTime(dataSource: DataSource, at: Date): Date | string {
  return dataSource.options.type === 'better-sqlite3' ? at.toISOString().slice(0, 23).replace('T', ' ') : at;
}
