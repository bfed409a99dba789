/**
 * Database targets for tests: SQLite always, MySQL/MariaDB whenever TEST_MYSQL_URL is set (CI sets it).
 * Every call to `freshDatabase` gets its own empty database, so test files can run in parallel.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

export type DatabaseKind = 'sqlite' | 'mysql';

export interface TestDatabase {
  kind: DatabaseKind;
  /** A DATABASE_URL for the app: `sqlite:/tmp/…/gavel.sqlite` or `mysql://…/gavel_t_…`. */
  url: string;
  drop(): Promise<void>;
}

/** The kinds this run covers: `['sqlite']`, plus `'mysql'` when TEST_MYSQL_URL is set. */
export function databaseKinds(): DatabaseKind[] {
  return process.env.TEST_MYSQL_URL ? ['sqlite', 'mysql'] : ['sqlite'];
}

export async function freshDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'gavel-test-'));
    return {
      kind,
      url: `sqlite:${join(dir, 'gavel.sqlite')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const serverUrl = process.env.TEST_MYSQL_URL;
  if (!serverUrl) throw new Error('TEST_MYSQL_URL is not set');
  const name = `gavel_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new URL(serverUrl);
  admin.pathname = '/';
  const connection = await createConnection(admin.toString());
  try {
    await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    drop: async () => {
      const c = await createConnection(admin.toString());
      try {
        await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await c.end();
      }
    },
  };
}
