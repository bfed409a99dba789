import type { DataSource } from 'typeorm';

/**
 * Runs a plain UPDATE or DELETE (`?` placeholders, no Date parameters: SQLite cannot bind them) and answers
 * how many rows it changed. Repository.query() cannot tell: on SQLite it answers the last inserted rowid.
 * For hot paths where the query builder's update() cost more CPU than the statement.
 */
export async function runUpdate(dataSource: DataSource, sql: string, params: unknown[]): Promise<number> {
  const runner = dataSource.createQueryRunner();
  try {
    const result = (await runner.query(sql, params, true)) as { affected?: number };
    return result.affected ?? 0;
  } finally {
    await runner.release();
  }
}
