/**
 * Storing WebSocket registrations on each database: concurrent registrations share multi-row INSERTs
 * (at most 64 rows each), and the id each caller gets is the id of its own row; a duplicate connection
 * id or an unknown user inside a batch is answered as such without failing the others.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DataSource, In, type Repository } from 'typeorm';
import { dataSourceOptions } from '../../apps/api/src/database/data-source.js';
import { SocketConnection } from '../../apps/api/src/modules/socket-connection/socket-connection.entity.js';
import {
  type NewSocketConnection,
  SocketConnectionRepository,
} from '../../apps/api/src/modules/socket-connection/socket-connection.repository.js';
import { databaseKinds } from '../support/databases.js';
import { type MigratedStore, migratedStore } from '../support/migrated-store.js';

const UNKNOWN_USER = 99_999_999;
// connection_id, user_id, created_at, last_seen_at, source_ip, user_agent, expires_at
const COLUMNS_PER_ROW = 7;

let idCounter = 0;
/** Looks like an AWS connection id: 16 chars of base64 ending in `=`. */
function connectionId(): string {
  idCounter += 1;
  // Fixed-width parts, so no two counters can produce the same id.
  return `S${Date.now().toString(36).slice(-8)}${idCounter.toString(36).padStart(4, '0')}`.padEnd(15, 'x') + '=';
}

describe.each(databaseKinds())('socket connection store (%s)', (kind) => {
  let store: MigratedStore;
  let dataSource: DataSource;
  let table: Repository<SocketConnection>;
  let repository: SocketConnectionRepository;
  let userIds: number[];

  beforeAll(async () => {
    store = await migratedStore(kind, { count: 5, emailPrefix: 'conn' });
    ({ dataSource, userIds } = store);
    table = dataSource.getRepository(SocketConnection);
    repository = new SocketConnectionRepository(table);
  }, 120_000);
  afterAll(async () => {
    await store?.close();
  }, 120_000);

  const registration = (userId: number, id = connectionId()): NewSocketConnection => ({
    connectionId: id,
    userId,
    sourceIp: '203.0.113.7',
    userAgent: `agent ${id}`,
  });

  /** The INSERTs the repository sends while `run` runs, each as its number of rows. */
  async function insertStatements<T>(run: () => Promise<T>): Promise<{ result: T; rowsPerInsert: number[] }> {
    const query = jest.spyOn(table, 'query');
    try {
      const result = await run();
      const rowsPerInsert = query.mock.calls
        .filter(([sql]) => /^INSERT/i.test(sql))
        .map(([, parameters]) => (parameters?.length ?? 0) / COLUMNS_PER_ROW);
      return { result, rowsPerInsert };
    } finally {
      query.mockRestore();
    }
  }

  async function storedByConnectionId(ids: string[]): Promise<Map<string, SocketConnection>> {
    const rows = await table.createQueryBuilder('c').where('c.connectionId IN (:...ids)', { ids }).getMany();
    return new Map(rows.map((row) => [row.connectionId, row]));
  }

  it('concurrent registrations share INSERTs of at most 64 rows; each returned id is its own stored row', async () => {
    const inputs = Array.from({ length: 150 }, (_, i) => registration(userIds[i % userIds.length]!));
    const { result: outcomes, rowsPerInsert } = await insertStatements(() =>
      Promise.all(inputs.map((input) => repository.insert(input))),
    );

    expect(rowsPerInsert.reduce((a, b) => a + b, 0)).toBe(inputs.length);
    expect(rowsPerInsert.length).toBeLessThanOrEqual(Math.ceil(inputs.length / 64));
    expect(Math.max(...rowsPerInsert)).toBeLessThanOrEqual(64);

    const stored = await storedByConnectionId(inputs.map((input) => input.connectionId));
    expect(stored.size).toBe(inputs.length);
    outcomes.forEach((outcome, i) => {
      if (typeof outcome === 'string') throw new Error(`registration ${i} answered ${outcome}`);
      const row = stored.get(inputs[i]!.connectionId)!;
      expect(outcome.id).toBe(row.id);
      expect(outcome).toMatchObject({
        connectionId: row.connectionId,
        userId: inputs[i]!.userId,
        sourceIp: row.sourceIp,
        userAgent: row.userAgent,
      });
      expect(row.userId).toBe(inputs[i]!.userId);
    });
    expect(new Set(outcomes.map((o) => (o as SocketConnection).id)).size).toBe(inputs.length);
  });

  it("the push reads: keyset pages of (id, connectionId) in id order, and a user's connection ids in id order", async () => {
    const userId = userIds[4]!;
    const stored: SocketConnection[] = [];
    for (let i = 0; i < 7; i++) {
      const outcome = await repository.insert(registration(userId));
      if (typeof outcome === 'string') throw new Error(outcome);
      stored.push(outcome);
    }
    const from = stored[0]!.id - 1;
    const pages: { id: number; connectionId: string }[][] = [];
    for (
      let after = from, page = await repository.pageConnectionIds(after, 3);
      page.length > 0 && pages.length < 10;
      page = await repository.pageConnectionIds(after, 3)
    ) {
      pages.push(page);
      after = page[page.length - 1]!.id;
    }
    const mine = pages.flat().filter((row) => row.id > from);
    expect(pages.every((page) => page.length <= 3)).toBe(true);
    expect(mine).toEqual(stored.map((row) => ({ id: row.id, connectionId: row.connectionId })));
    for (const row of mine) expect(typeof row.id).toBe('number');
    const byUser = await repository.findConnectionIdsByUser(userId);
    expect(byUser.slice(-7)).toEqual(stored.map((row) => row.connectionId));
    expect(await repository.findConnectionIdsByUser(UNKNOWN_USER)).toEqual([]);
  });

  it('a duplicate id and an unknown user inside a batch get taken / unknown-user; the others are stored with their own ids', async () => {
    const existing = await repository.insert(registration(userIds[0]!));
    if (typeof existing === 'string') throw new Error(`setup registration answered ${existing}`);
    const before = await table.count();

    const inputs = [
      registration(userIds[1]!),
      registration(userIds[2]!, existing.connectionId),
      registration(userIds[3]!),
      registration(UNKNOWN_USER),
      registration(userIds[4]!),
    ];
    const { result: outcomes, rowsPerInsert } = await insertStatements(() =>
      Promise.all(inputs.map((input) => repository.insert(input))),
    );

    // The multi-row INSERT failed as a whole, then each row went alone.
    expect(rowsPerInsert).toEqual([5, 1, 1, 1, 1, 1]);
    expect(outcomes[1]).toBe('taken');
    expect(outcomes[3]).toBe('unknown-user');
    expect(await table.count()).toBe(before + 3);

    const stored = await storedByConnectionId(inputs.map((input) => input.connectionId));
    expect(stored.get(existing.connectionId)).toMatchObject({ id: existing.id, userId: userIds[0] });
    for (const i of [0, 2, 4]) {
      const outcome = outcomes[i] as SocketConnection;
      expect(outcome).toBeInstanceOf(SocketConnection);
      expect(outcome.id).toBe(stored.get(inputs[i]!.connectionId)!.id);
      expect(stored.get(inputs[i]!.connectionId)!.userId).toBe(inputs[i]!.userId);
    }
  });

  it('the same id twice in one batch: the first is stored, the second is taken', async () => {
    const id = connectionId();
    const outcomes = await Promise.all([
      repository.insert(registration(userIds[0]!, id)),
      repository.insert(registration(userIds[1]!, id)),
      repository.insert(registration(userIds[2]!)),
    ]);
    expect(outcomes[0]).toMatchObject({ connectionId: id, userId: userIds[0] });
    expect(outcomes[1]).toBe('taken');
    expect(outcomes[2]).toBeInstanceOf(SocketConnection);
    expect((await table.findOneBy({ connectionId: id }))?.id).toBe((outcomes[0] as SocketConnection).id);
  });

  it('what a connection was sent: null on a new row; compare-and-set moves it only from the value it holds', async () => {
    const id = connectionId();
    await repository.insert(registration(userIds[0]!, id));
    expect(await repository.findNotificationsSentAfter(id)).toBeNull();
    expect(await repository.findNotificationsSentAfter(connectionId())).toBeUndefined();

    // Two welcomes of one connection (two API copies) both saw null: only the first records.
    expect(await repository.moveNotificationsSentAfter(id, null, 0)).toBe(true);
    expect(await repository.moveNotificationsSentAfter(id, null, 5)).toBe(false);
    expect(await repository.findNotificationsSentAfter(id)).toBe(0);
    expect(await repository.moveNotificationsSentAfter(id, 3, 1)).toBe(false);
    expect(await repository.moveNotificationsSentAfter(id, 0, 2_000_000_000)).toBe(true);
    expect((await repository.findByConnectionId(id))?.notificationsSentAfter).toBe(2_000_000_000);
    expect(await repository.moveNotificationsSentAfter(connectionId(), null, 1)).toBe(false);
  });

  it('the housekeeping sweep deletes only the rows created before the cutoff', async () => {
    const [old1, old2, fresh] = [registration(userIds[0]!), registration(userIds[1]!), registration(userIds[2]!)];
    await Promise.all([old1, old2, fresh].map((input) => repository.insert(input)));
    await table.update(
      { connectionId: In([old1.connectionId, old2.connectionId]) },
      { createdAt: new Date('2020-01-01T00:00:00Z') },
    );
    expect(await repository.deleteCreatedBefore(new Date('2021-01-01T00:00:00Z'))).toBe(2);
    expect([
      ...(await storedByConnectionId([old1.connectionId, old2.connectionId, fresh.connectionId])).keys(),
    ]).toEqual([fresh.connectionId]);
  });

  // MySQL/MariaDB only: SQLite has no such setting.
  if (kind === 'mysql')
    it('a server stepping auto-increment ids by more than one gets one INSERT per row', async () => {
      // A fresh DataSource: the step is asked once per DataSource.
      const stepping = new DataSource(dataSourceOptions(store.database.url));
      await stepping.initialize();
      try {
        const query = stepping.query.bind(stepping);
        const ask = jest
          .spyOn(stepping, 'query')
          .mockImplementation((sql, parameters) =>
            /auto_increment_increment/.test(sql) ? Promise.resolve([{ step: 2 }]) : query(sql, parameters),
          );
        const steppingTable = stepping.getRepository(SocketConnection);
        const statements = jest.spyOn(steppingTable, 'query');
        const steppingRepository = new SocketConnectionRepository(steppingTable);
        const inputs = Array.from({ length: 4 }, (_, i) => registration(userIds[i]!));
        const outcomes = await Promise.all(inputs.map((input) => steppingRepository.insert(input)));
        expect(ask).toHaveBeenCalledWith('SELECT @@auto_increment_increment AS step');
        expect(statements.mock.calls.map(([, parameters]) => (parameters?.length ?? 0) / COLUMNS_PER_ROW)).toEqual([
          1, 1, 1, 1,
        ]);
        const stored = await storedByConnectionId(inputs.map((input) => input.connectionId));
        outcomes.forEach((outcome, i) =>
          expect((outcome as SocketConnection).id).toBe(stored.get(inputs[i]!.connectionId)!.id),
        );
      } finally {
        await stepping.destroy();
      }
    });
});
