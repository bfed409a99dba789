/**
 * UserRepository.findCaller on each database: the plain-SQL read every authenticated request makes
 * (JwtStrategy.validate) maps the raw row the way the entity would — id and version as numbers, a
 * blocked user as blocked (SQLite hands `blocked_at` back as text, MySQL as a Date), an unknown id as null.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { User } from '../../apps/api/src/modules/user/user.entity.js';
import { UserRepository } from '../../apps/api/src/modules/user/user.repository.js';
import { databaseKinds } from '../support/databases.js';
import { type MigratedStore, migratedStore } from '../support/migrated-store.js';

describe.each(databaseKinds())('UserRepository.findCaller (%s)', (kind) => {
  let store: MigratedStore;
  let users: UserRepository;

  beforeAll(async () => {
    store = await migratedStore(kind, { count: 2, emailPrefix: 'caller' });
    users = new UserRepository(store.dataSource.getRepository(User));
  }, 120_000);
  afterAll(async () => {
    await store?.close();
  }, 120_000);

  it('reads what the JWT strategy checks, with the types the entity has', async () => {
    const [id] = store.userIds;
    await store.dataSource.getRepository(User).update({ id }, { role: 'admin', tokenVersion: 3 });
    expect(await users.findCaller(id!)).toEqual({
      id,
      email: 'caller0@example.test',
      displayName: 'caller 0',
      role: 'admin',
      tokenVersion: 3,
      blocked: false,
    });
  });

  it('says blocked while blocked_at is set, and not once it is cleared', async () => {
    const id = store.userIds[1]!;
    await store.dataSource.getRepository(User).update({ id }, { blockedAt: new Date() });
    expect((await users.findCaller(id))?.blocked).toBe(true);
    await store.dataSource.getRepository(User).update({ id }, { blockedAt: null });
    expect((await users.findCaller(id))?.blocked).toBe(false);
  });

  it('returns null for an id no user has', async () => {
    expect(await users.findCaller(Math.max(...store.userIds) + 1_000)).toBeNull();
  });
});
