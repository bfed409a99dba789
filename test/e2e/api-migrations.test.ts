/** The migrations on an empty database of each kind: up, down, up again; the schema they leave behind. */
import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../apps/api/src/database/data-source.js';
import { runPendingMigrations } from '../../apps/api/src/database/migrate.js';
import { SocketConnection } from '../../apps/api/src/modules/socket-connection/socket-connection.entity.js';
import { User } from '../../apps/api/src/modules/user/user.entity.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { databaseKinds, freshDatabase, type TestDatabase } from '../support/databases.js';

describe.each(databaseKinds())('migrations (%s)', (kind) => {
  let database: TestDatabase | undefined;
  let dataSource: DataSource | undefined;

  afterEach(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  }, 120_000);

  async function open(): Promise<DataSource> {
    database = await freshDatabase(kind);
    dataSource = await new DataSource(dataSourceOptions(database.url)).initialize();
    return dataSource;
  }

  async function tables(ds: DataSource): Promise<Record<string, boolean>> {
    const runner = ds.createQueryRunner();
    try {
      return { users: await runner.hasTable('users'), socket_connections: await runner.hasTable('socket_connections') };
    } finally {
      await runner.release();
    }
  }

  it('runs up, all the way down, and up again', async () => {
    const ds = await open();
    expect(await tables(ds)).toEqual({ users: false, socket_connections: false });

    const applied = await ds.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.map((M) => new M().name));
    expect(await tables(ds)).toEqual({ users: true, socket_connections: true });
    expect(await ds.showMigrations()).toBe(false);

    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await tables(ds)).toEqual({ users: false, socket_connections: false });
    expect(await ds.showMigrations()).toBe(true);

    expect(await ds.runMigrations({ transaction: 'each' })).toHaveLength(MIGRATIONS.length);
    expect(await tables(ds)).toEqual({ users: true, socket_connections: true });
  });

  // Several API copies share one MySQL; an SQLite file belongs to one process, so there is nothing to race.
  (kind === 'sqlite' ? it.skip : it)('applies each migration once when several processes start together', async () => {
    const ds = await open();
    const others = await Promise.all([1, 2].map(() => new DataSource(dataSourceOptions(database!.url)).initialize()));
    try {
      const applied = await Promise.all([ds, ...others].map((source) => runPendingMigrations(source)));
      expect(
        applied
          .flat()
          .map((m) => m.name)
          .sort(),
      ).toEqual(MIGRATIONS.map((M) => new M().name).sort());
      expect(await ds.showMigrations()).toBe(false);
    } finally {
      await Promise.all(others.map((source) => source.destroy()));
    }
  });

  it('leaves a unique connection_id, an indexed user_id and a cascading foreign key', async () => {
    const ds = await open();
    await ds.runMigrations();
    const runner = ds.createQueryRunner();
    try {
      const table = (await runner.getTable('socket_connections'))!;
      const uniques = [
        ...table.indices.filter((i) => i.isUnique).map((i) => i.columnNames),
        ...table.uniques.map((u) => u.columnNames),
      ];
      expect(uniques).toContainEqual(['connection_id']);
      expect(table.indices.some((i) => !i.isUnique && i.columnNames.join() === 'user_id')).toBe(true);
      expect(table.foreignKeys).toHaveLength(1);
      expect(table.foreignKeys[0]).toMatchObject({
        columnNames: ['user_id'],
        referencedTableName: expect.stringMatching(/users$/),
        onDelete: 'CASCADE',
      });
    } finally {
      await runner.release();
    }

    // The cascade really happens (SQLite needs foreign_keys on for that).
    const now = new Date();
    const { id } = await ds.getRepository(User).save({
      email: 'x@example.com',
      displayName: 'X',
      passwordHash: 'h',
      role: 'user',
      createdAt: now,
      updatedAt: now,
    });
    await ds
      .getRepository(SocketConnection)
      .save({ connectionId: 'abc=', userId: id, createdAt: now, lastSeenAt: now, sourceIp: null, userAgent: null });
    expect(await ds.getRepository(SocketConnection).count()).toBe(1);
    // Deleted with a plain DELETE (no ORM cascade involved): the database removes the connection.
    await ds.createQueryBuilder().delete().from(User).where('id = :id', { id }).execute();
    expect(await ds.getRepository(SocketConnection).count()).toBe(0);
  });

  it('refuses a connection row for a user that does not exist', async () => {
    const ds = await open();
    await ds.runMigrations();
    const now = new Date();
    await expect(
      ds
        .getRepository(SocketConnection)
        .insert({ connectionId: 'orphan=', userId: 424242, createdAt: now, lastSeenAt: now }),
    ).rejects.toThrow(/foreign key/i);
  });
});
