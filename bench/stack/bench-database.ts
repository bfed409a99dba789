/**
 * The database one bench run uses, always fresh so runs are comparable and nothing of anyone's is touched:
 * SQLite — a new file in a temporary folder; MySQL/MariaDB (DATABASE_URL=mysql://…/name) — a new
 * schema `name_<run>` on that server, dropped at the end (`--keep-db` keeps it for inspection).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

export interface BenchDatabase {
  kind: 'sqlite' | 'mysql';
  url: string;
  /** What to print: the file, or server and schema (never the password). */
  description: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(databaseUrl: string | undefined, workDir: string): Promise<BenchDatabase> {
  if (!databaseUrl || databaseUrl.startsWith('sqlite:')) {
    const dir = mkdtempSync(join(workDir, 'db-'));
    const file = join(dir, 'bench.sqlite');
    return {
      kind: 'sqlite',
      url: `sqlite:${file}`,
      description: `SQLite ${file}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (!/^(mysql|mariadb):\/\//.test(databaseUrl))
    throw new Error('DATABASE_URL must be sqlite:<file> or mysql://user:pass@host:port/db');
  const given = new URL(databaseUrl.replace(/^mariadb:/, 'mysql:'));
  const base = decodeURIComponent(given.pathname.slice(1)) || 'gavel_bench';
  if (!/^[A-Za-z0-9_]{1,40}$/.test(base))
    throw new Error(`DATABASE_URL's database name must be letters, digits and _ (got "${base}")`);
  const name = `${base}_${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const server = new URL(given);
  server.pathname = '/';
  const admin = await createConnection(server.toString());
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  const url = new URL(given);
  url.pathname = `/${name}`;
  return {
    kind: 'mysql',
    url: url.toString(),
    description: `MySQL ${given.host}/${name}`,
    drop: async () => {
      const connection = await createConnection(server.toString());
      try {
        await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await connection.end();
      }
    },
  };
}
