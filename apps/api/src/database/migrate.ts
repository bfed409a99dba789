import type { DataSource, Migration } from 'typeorm';

const LOCK_NAME = 'gavel:migrations';
const LOCK_WAIT_SECONDS = 120;

/**
 * Applies pending migrations, one process at a time. Several API copies starting together against
 * one MySQL would otherwise race through the same migrations (TypeORM takes no lock on MySQL); a named
 * lock (GET_LOCK) held on a connection of its own serializes them, and the later ones find nothing to
 * do. SQLite is one process's file: nothing to serialize.
 */
export async function runPendingMigrations(dataSource: DataSource): Promise<Migration[]> {
  if (dataSource.options.type !== 'mysql' && dataSource.options.type !== 'mariadb') {
    return dataSource.runMigrations({ transaction: 'each' });
  }
  const lockHolder = dataSource.createQueryRunner();
  try {
    const [row] = (await lockHolder.query('SELECT GET_LOCK(?, ?) AS locked', [LOCK_NAME, LOCK_WAIT_SECONDS])) as Array<{
      locked: number | null;
    }>;
    if (Number(row?.locked) !== 1)
      throw new Error(`Another process held the migration lock for more than ${LOCK_WAIT_SECONDS} s`);
    try {
      return await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await lockHolder.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]);
    }
  } finally {
    await lockHolder.release();
  }
}
