/**
 * Storing notifications on each database: concurrent inserts share multi-row INSERTs, and the ids each
 * caller gets are the ids of its own rows; an unknown user is refused by the foreign key (also inside a
 * batch, without failing the others) and answered with 404 over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { DataSource, Repository } from 'typeorm';
import { Notification } from '../../apps/api/src/modules/notification/notification.entity.js';
import { NotificationRecipientNotFoundError } from '../../apps/api/src/modules/notification/notification.errors.js';
import {
  type NewNotification,
  NotificationRepository,
} from '../../apps/api/src/modules/notification/notification.repository.js';
import { User } from '../../apps/api/src/modules/user/user.entity.js';
import { databaseKinds } from '../support/databases.js';
import { type MigratedStore, migratedStore } from '../support/migrated-store.js';
import { type ApiHarness, call, newUser, startApi, TEST_SECRETS } from './api-harness.js';

const UNKNOWN_USER = 99_999_999;

describe.each(databaseKinds())('notification store (%s)', (kind) => {
  let store: MigratedStore;
  let dataSource: DataSource;
  let table: Repository<Notification>;
  let repository: NotificationRepository;
  let userIds: number[];

  beforeAll(async () => {
    store = await migratedStore(kind, { count: 5, emailPrefix: 'store' });
    ({ dataSource, userIds } = store);
    table = dataSource.getRepository(Notification);
    repository = new NotificationRepository(table);
  }, 120_000);
  afterAll(async () => {
    await store?.close();
  }, 120_000);

  const note = (userId: number, title: string): NewNotification => ({
    userId,
    kind: 'test',
    title,
    body: null,
    data: JSON.stringify({ title }),
  });

  async function storedTitles(ids: number[]): Promise<Map<number, { userId: number; title: string }>> {
    const rows = await table.createQueryBuilder('n').whereInIds(ids).getMany();
    return new Map(rows.map((row) => [row.id, { userId: row.userId, title: row.title }]));
  }

  it('concurrent inserts share INSERT statements; ids are distinct, increase in call order and are the rows they name', async () => {
    const statements = jest.spyOn(table, 'insert');
    try {
      const inputs = Array.from({ length: 60 }, (_, i) => note(userIds[i % userIds.length]!, `concurrent ${i}`));
      const stored = await Promise.all(inputs.map((input) => repository.insert(input)));
      const ids = stored.map((row) => row.id);
      for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
      expect(statements.mock.calls.length).toBeLessThan(inputs.length / 2);

      const rows = await storedTitles(ids);
      expect(rows.size).toBe(inputs.length);
      stored.forEach((row, i) => {
        expect(row).toMatchObject({ userId: inputs[i]!.userId, title: inputs[i]!.title, data: inputs[i]!.data });
        expect(rows.get(row.id)).toEqual({ userId: inputs[i]!.userId, title: inputs[i]!.title });
      });
    } finally {
      statements.mockRestore();
    }
  });

  it('an unknown user is refused by the foreign key: NotificationRecipientNotFoundError, nothing stored', async () => {
    const before = await table.count();
    await expect(repository.insert(note(UNKNOWN_USER, 'nobody'))).rejects.toBeInstanceOf(
      NotificationRecipientNotFoundError,
    );
    // Ids no users row can have (beyond MySQL's INT, not an integer, 0) are unknown users too, not database errors.
    for (const userId of [99_999_999_999, 1e19, 0])
      await expect(repository.insert(note(userId, 'nobody'))).rejects.toBeInstanceOf(
        NotificationRecipientNotFoundError,
      );
    expect(await table.count()).toBe(before);
  });

  it('an unknown user inside a batch fails alone; the others are stored once, with their own ids', async () => {
    const before = await table.count();
    const inputs = [
      note(userIds[0]!, 'a'),
      note(userIds[1]!, 'b'),
      note(UNKNOWN_USER, 'nobody'),
      note(userIds[2]!, 'c'),
      note(userIds[3]!, 'd'),
    ];
    const outcomes = await Promise.allSettled(inputs.map((input) => repository.insert(input)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(NotificationRecipientNotFoundError);
    const stored = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const ids = stored.map((row) => row.id);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
    const rows = await storedTitles(ids);
    expect(stored.map((row) => rows.get(row.id)?.title)).toEqual(['a', 'b', 'c', 'd']);
    expect(await table.count()).toBe(before + 4);
  });

  it('deleting a user removes their notifications (the cascade the foreign key declares)', async () => {
    const now = new Date();
    const result = await dataSource.getRepository(User).insert({
      email: 'cascade@example.test',
      displayName: 'C',
      passwordHash: 'x',
      role: 'user',
      createdAt: now,
      updatedAt: now,
    });
    const userId = Number(result.identifiers[0]!.id);
    await Promise.all([repository.insert(note(userId, 'one')), repository.insert(note(userId, 'two'))]);
    expect(await table.countBy({ userId })).toBe(2);
    await dataSource.getRepository(User).delete({ id: userId });
    expect(await table.countBy({ userId })).toBe(0);
  });
});

describe.each(databaseKinds())('POST /notifications under concurrency (%s)', (kind) => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi(kind);
  }, 120_000);
  afterAll(async () => {
    await api?.close();
  }, 120_000);

  const send = (userId: number, title: string) =>
    call(api.baseUrl, 'POST', '/notifications', {
      headers: { 'x-api-key': TEST_SECRETS.SERVICE_API_KEY },
      body: { userId, kind: 'test', title },
    });

  it('concurrent sends answer 202 with the ids GET /me/notifications lists; an unknown user among them gets 404', async () => {
    const users = await Promise.all([newUser(api.baseUrl, 'A'), newUser(api.baseUrl, 'B'), newUser(api.baseUrl, 'C')]);
    const targets = Array.from({ length: 30 }, (_, i) => (i === 13 ? UNKNOWN_USER : users[i % users.length]!.id));
    const answers = await Promise.all(targets.map((userId, i) => send(userId, `n${i}`)));

    expect(answers[13]).toMatchObject({
      status: 404,
      body: { statusCode: 404, message: `User ${UNKNOWN_USER} not found`, error: 'Not Found' },
    });
    const accepted = answers.filter((_, i) => i !== 13);
    for (const answer of accepted)
      expect(answer).toMatchObject({ status: 202, body: { id: expect.any(Number), deliveredTo: 0, staleRemoved: 0 } });
    expect(new Set(accepted.map((a) => a.body.id)).size).toBe(accepted.length);
    for (const userId of ['99999999999', '9999999999999999999'])
      expect((await send(userId as unknown as number, 'too big')).status).toBe(404);

    for (const user of users) {
      const page = await call<{ items: Array<{ id: number; title: string }> }>(
        api.baseUrl,
        'GET',
        '/me/notifications?limit=100',
        { token: user.token },
      );
      // Requests reach the API in any order: compare by id, which is the order the list comes in.
      const expected = targets
        .flatMap((userId, i) => (userId === user.id ? [{ id: answers[i]!.body.id as number, title: `n${i}` }] : []))
        .sort((a, b) => a.id - b.id);
      expect(page.body.items.map((item) => ({ id: item.id, title: item.title }))).toEqual(expected);
    }
  });
});
