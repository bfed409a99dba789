/**
 * Small helpers that keep migrations portable between MySQL/MariaDB and SQLite with TypeORM's schema
 * API only (no dialect SQL).
 */
import type { QueryRunner, TableColumnOptions } from 'typeorm';

export function isMysql(queryRunner: QueryRunner): boolean {
  const type = queryRunner.connection.options.type;
  return type === 'mysql' || type === 'mariadb';
}

/** Auto-increment integer primary key (`integer` so SQLite makes it its rowid alias). */
export function idColumn(name = 'id'): TableColumnOptions {
  return { name, type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
}

/**
 * Column options for case-sensitive ASCII identifiers (AWS connection ids, keys). SQLite compares
 * bytes already; MySQL's default utf8mb4 collations are case-insensitive, which would let
 * `abc=` and `ABC=` collide in a unique index.
 */
export function binaryAscii(queryRunner: QueryRunner): Partial<TableColumnOptions> {
  return isMysql(queryRunner) ? { charset: 'ascii', collation: 'ascii_bin' } : {};
}

/** Timestamps with millisecond precision; values are always written by the app (UTC). */
export function timestampColumn(queryRunner: QueryRunner, name: string, isNullable = false): TableColumnOptions {
  return { name, type: 'datetime', precision: isMysql(queryRunner) ? 3 : undefined, isNullable };
}
