/**
 * THE DataSource definition: the app (TypeOrmModule), the migration CLI and the tests all build from
 * `dataSourceOptions(databaseUrl)`. `synchronize` is never on; the schema comes from migrations/.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../../migrations/index.js';
import { ENTITIES } from './entities.js';

export type DatabaseType = 'better-sqlite3' | 'mysql' | 'mariadb';

export function databaseTypeOf(databaseUrl: string): DatabaseType {
  if (databaseUrl.startsWith('sqlite:')) return 'better-sqlite3';
  // Same driver (mysql2); `mariadb://` only tells TypeORM which dialect quirks to expect when diffing schemas.
  return databaseUrl.startsWith('mariadb:') ? 'mariadb' : 'mysql';
}

export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    // Not 'error': failed queries are logged with their parameters (emails, hashes); the exception
    // filter logs real failures without them, and expected ones (unique violations) are not failures.
    logging: ['warn'] as 'warn'[],
  };
  const type = databaseTypeOf(databaseUrl);
  if (type === 'better-sqlite3') {
    // `sqlite:data/gavel.sqlite` (relative to the working directory) or `sqlite:/abs/path.sqlite`.
    const path = databaseUrl.slice('sqlite:'.length).replace(/^\/\//, '');
    const file = path === ':memory:' ? path : resolve(path);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: file,
      // The driver turns foreign keys on (cascades need it); WAL lets readers run beside the writer.
      enableWAL: true,
      // busy timeout (ms): wait for another connection's write lock instead of failing with SQLITE_BUSY.
      timeout: 5000,
      // Prepared statements kept by query text (TypeORM's default keeps 100, first in first out). The query
      // builder writes numbers into the text on SQLite, so one statement per auction id fills a small cache;
      // the hot paths use placeholders, and the rest stay prepared for a while longer.
      statementCacheSize: 1000,
    };
  }
  const url = new URL(databaseUrl.replace(/^mariadb:/, 'mysql:'));
  return {
    ...common,
    type,
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)),
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    // Ids and counts come back as JS numbers (strings only beyond 2^53, which ids never reach).
    supportBigNumbers: true,
    bigNumberStrings: false,
    poolSize: 10,
  };
}
