import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../apps/api/src/database/data-source.js';
import { User } from '../../apps/api/src/modules/user/user.entity.js';
import { type DatabaseKind, freshDatabase, type TestDatabase } from './databases.js';

/** A fresh database of one kind, migrated, with a DataSource on it and some users — for repository-level tests. */
export interface MigratedStore {
  database: TestDatabase;
  dataSource: DataSource;
  userIds: number[];
  close(): Promise<void>;
}

export async function migratedStore(
  kind: DatabaseKind,
  users: { count: number; emailPrefix: string },
): Promise<MigratedStore> {
  const database = await freshDatabase(kind);
  const dataSource = new DataSource(dataSourceOptions(database.url));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  const userIds: number[] = [];
  for (let i = 0; i < users.count; i++) {
    const now = new Date();
    const result = await dataSource.getRepository(User).insert({
      email: `${users.emailPrefix}${i}@example.test`,
      displayName: `${users.emailPrefix} ${i}`,
      passwordHash: 'x',
      role: 'user',
      createdAt: now,
      updatedAt: now,
    });
    userIds.push(Number(result.identifiers[0]!.id));
  }
  return {
    database,
    dataSource,
    userIds,
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}
