import { describe, expect, it, jest } from '@jest/globals';
import type { TokenSubject } from '../../common/auth-user.js';
import type { AppConfig } from '../../config/env.js';
import type { SocketConnection } from './socket-connection.entity.js';
import {
  ConnectionHeldByAnotherUserError,
  RegistrationExpiredError,
  TokenRevokedError,
  TokenUserGoneError,
  TooManyConnectionsError,
} from './socket-connection.errors.js';
import type { ConnectionRegisteredHook, RegisteredConnection } from './socket-connection.hook.js';
import type { SocketConnectionRepository } from './socket-connection.repository.js';
import { LAST_SEEN_RESOLUTION_MS, SocketConnectionService } from './socket-connection.service.js';
import type { UserRepository } from '../user/user.repository.js';

const alice: TokenSubject = { id: 1, tokenOnly: true, tokenVersion: 0 };

let nextId = 10;

function row(connectionId: string, userId: number): SocketConnection {
  const at = new Date('2026-01-01T00:00:00Z');
  return {
    id: nextId++,
    connectionId,
    userId,
    createdAt: at,
    lastSeenAt: at,
    sourceIp: null,
    userAgent: null,
    notificationsSentAfter: null,
    welcomeCutoff: null,
    expiresAt: null,
  };
}

/** An in-memory stand-in for the repository (the unit under test is the service's rules); users 1 and 2 exist. */
function fakeRepository(existing: SocketConnection[] = [], users = new Set([1, 2])) {
  const rows = new Map(existing.map((r) => [r.connectionId, r]));
  const tokenState = jest.fn(async (id: number): Promise<{ tokenVersion: number; blocked: boolean } | undefined> =>
    users.has(id) ? { tokenVersion: 0, blocked: false } : undefined,
  );
  const countOfUserBefore = jest.fn(
    async (userId: number, id: number) => [...rows.values()].filter((r) => r.userId === userId && r.id < id).length,
  );
  return {
    rows,
    findByConnectionId: jest.fn(async (id: string) => rows.get(id) ?? null),
    userExists: jest.fn(async (id: number) => users.has(id)),
    tokenState,
    countOfUserBefore,
    /** The one read a registration makes once its row is written. */
    findRegistrationState: jest.fn(async (userId: number, before: number | null, _seenSince: Date) => {
      const state = await tokenState(userId);
      if (!state) return undefined;
      const connectionsBefore = before === null ? 0 : await countOfUserBefore(userId, before);
      return { ...state, connectionsBefore, lastSeenBefore: true };
    }),
    insert: jest.fn(async (c: { connectionId: string; userId: number }) => {
      if (rows.has(c.connectionId)) return 'taken' as const;
      if (!users.has(c.userId)) return 'unknown-user' as const;
      const r = row(c.connectionId, c.userId);
      rows.set(c.connectionId, r);
      return r;
    }),
    touch: jest.fn(async (_connectionIds: string[]) => undefined),
    extend: jest.fn(async (id: string, _expiresAt: Date | null) => rows.has(id)),
    deleteByConnectionId: jest.fn(async (id: string) => rows.delete(id)),
    findConnectionIdsByUser: jest.fn(async (userId: number) =>
      [...rows.values()].filter((r) => r.userId === userId).map((r) => r.connectionId),
    ),
  };
}

/** The configuration the service reads: MAX_CONNECTIONS_PER_USER. */
const config = (maxConnectionsPerUser = 20) => ({ maxConnectionsPerUser }) as AppConfig;

/** The users table as the service asks it, answered by the fake repository's user set. */
const usersOf = (repository: ReturnType<typeof fakeRepository>) =>
  ({
    exists: (id: number) => repository.userExists(id),
    touchLastSeen: async () => undefined,
  }) as unknown as UserRepository;

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe(SocketConnectionService.name, () => {
  it('answers before the hook runs, and never waits for it', async () => {
    const calls: RegisteredConnection[] = [];
    let release!: () => void;
    const hook: ConnectionRegisteredHook = {
      onRegistered: (c) => {
        calls.push(c);
        return new Promise<void>((resolve) => (release = resolve));
      },
    };
    const repository = fakeRepository();
    const service = new SocketConnectionService(
      repository as unknown as SocketConnectionRepository,
      usersOf(repository),
      config(),
      hook,
    );
    const answer = await service.register(alice, { connectionId: 'abc=', since: 41 });
    expect(answer.created).toBe(true);
    expect(calls).toEqual([]);
    await tick();
    expect(calls).toEqual([
      { connectionId: 'abc=', userId: 1, since: '41', created: true, notificationsSentAfter: null },
    ]);
    release();
  });

  it('logs a failing hook instead of failing the registration', async () => {
    const hook: ConnectionRegisteredHook = {
      onRegistered: () => {
        throw new Error('gateway down');
      },
    };
    const service = new SocketConnectionService(
      fakeRepository() as unknown as SocketConnectionRepository,
      usersOf(fakeRepository()),
      config(),
      hook,
    );
    const logged = jest
      .spyOn((service as unknown as { logger: { error: (m: string) => void } }).logger, 'error')
      .mockImplementation(() => undefined);
    await expect(service.register(alice, { connectionId: 'abc=' })).resolves.toMatchObject({ created: true });
    await tick();
    await tick();
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('gateway down'));
  });

  it("re-registration by the same user extends the registration to the new token's exp and reports created: false, with what the connection was sent", async () => {
    const repository = fakeRepository([{ ...row('abc=', 1), notificationsSentAfter: 7 }]);
    const onRegistered = jest.fn<ConnectionRegisteredHook['onRegistered']>();
    const service = new SocketConnectionService(
      repository as unknown as SocketConnectionRepository,
      usersOf(repository),
      config(),
      {
        onRegistered,
      },
    );
    const exp = new Date('2026-01-01T01:00:00Z');
    const answer = await service.register({ ...alice, expiresAt: exp }, { connectionId: 'abc=' });
    expect(answer).toMatchObject({ created: false, body: { connectionId: 'abc=', userId: 1 } });
    expect(repository.rows.get('abc=')).toMatchObject({ userId: 1 });
    expect(repository.extend).toHaveBeenCalledWith('abc=', exp);
    await tick();
    expect(onRegistered).toHaveBeenCalledWith({
      connectionId: 'abc=',
      userId: 1,
      since: undefined,
      created: false,
      notificationsSentAfter: 7,
    });
  });

  it('refuses an id held by another user, and tells no hook', async () => {
    const onRegistered = jest.fn<ConnectionRegisteredHook['onRegistered']>();
    const repository = fakeRepository([row('abc=', 2)]);
    const service = new SocketConnectionService(
      repository as unknown as SocketConnectionRepository,
      usersOf(repository),
      config(),
      { onRegistered },
    );
    await expect(service.register(alice, { connectionId: 'abc=' })).rejects.toBeInstanceOf(
      ConnectionHeldByAnotherUserError,
    );
    await tick();
    expect(onRegistered).not.toHaveBeenCalled();
  });

  it("answers 401 when the foreign key finds no such user (a deleted user's token), and tells no hook", async () => {
    const onRegistered = jest.fn<ConnectionRegisteredHook['onRegistered']>();
    const repository = fakeRepository([], new Set([2]));
    const service = new SocketConnectionService(
      repository as unknown as SocketConnectionRepository,
      usersOf(repository),
      config(),
      {
        onRegistered,
      },
    );
    const error = await service.register(alice, { connectionId: 'abc=' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenUserGoneError);
    expect(error).toMatchObject({ status: 401, message: 'Invalid token' });
    expect(repository.rows.size).toBe(0);
    await tick();
    expect(onRegistered).not.toHaveBeenCalled();
  });

  it('a deleted user asking for an id held by another user gets 401, not 409', async () => {
    const repository = fakeRepository([row('abc=', 2)], new Set([2]));
    const service = new SocketConnectionService(
      repository as unknown as SocketConnectionRepository,
      usersOf(repository),
      config(),
    );
    await expect(service.register(alice, { connectionId: 'abc=' })).rejects.toBeInstanceOf(TokenUserGoneError);
    // The common paths never ask: only this rare answer needs the extra query.
    expect(repository.userExists).toHaveBeenCalledTimes(1);
  });

  it('on the common paths reads only the token state, after the insert (no existence check: the insert proves the user)', async () => {
    const repository = fakeRepository([row('old=', 1)]);
    const users = usersOf(repository);
    const service = new SocketConnectionService(repository as unknown as SocketConnectionRepository, users, config());
    await service.register(alice, { connectionId: 'new=' });
    await service.register(alice, { connectionId: 'old=' });
    expect(repository.userExists).not.toHaveBeenCalled();
    expect(repository.tokenState).toHaveBeenCalledTimes(2);
    expect(repository.insert.mock.invocationCallOrder[0]).toBeLessThan(
      repository.tokenState.mock.invocationCallOrder[0]!,
    );
  });

  it('moves users.last_seen_at only when the read says it is older than LAST_SEEN_RESOLUTION_MS', async () => {
    const repository = fakeRepository([row('old=', 1)]);
    const touchLastSeen = jest.fn(async (_id: number) => undefined);
    const users = { ...usersOf(repository), touchLastSeen } as unknown as UserRepository;
    const service = new SocketConnectionService(repository as unknown as SocketConnectionRepository, users, config());
    await service.register(alice, { connectionId: 'new=' });
    expect(touchLastSeen).toHaveBeenCalledWith(1);
    const [, , seenSince] = repository.findRegistrationState.mock.calls[0]!;
    expect(Date.now() - seenSince.getTime()).toBeGreaterThanOrEqual(LAST_SEEN_RESOLUTION_MS);
    repository.findRegistrationState.mockResolvedValueOnce({
      tokenVersion: 0,
      blocked: false,
      connectionsBefore: 0,
      lastSeenBefore: false,
    });
    await service.register(alice, { connectionId: 'old=' });
    expect(touchLastSeen).toHaveBeenCalledTimes(1);
  });

  it('refuses a revoked token (older version, or blocked user) with 401 and keeps no row, also on a repeated auth', async () => {
    for (const state of [
      { tokenVersion: 1, blocked: false },
      { tokenVersion: 0, blocked: true },
    ]) {
      const repository = fakeRepository([row('old=', 1)]);
      repository.tokenState.mockImplementation(async () => state);
      const service = new SocketConnectionService(
        repository as unknown as SocketConnectionRepository,
        usersOf(repository),
        config(),
      );
      await expect(service.register(alice, { connectionId: 'new=' })).rejects.toBeInstanceOf(TokenRevokedError);
      await expect(service.register(alice, { connectionId: 'old=' })).rejects.toMatchObject({ status: 401 });
      expect([...repository.rows.keys()]).toEqual([]);
    }
  });

  it('a repeated auth after the row expired and was swept is refused (401): the sweep is closing the connection', async () => {
    const repository = fakeRepository([row('old=', 1)]);
    repository.extend.mockResolvedValueOnce(false);
    const service = new SocketConnectionService(
      repository as unknown as SocketConnectionRepository,
      usersOf(repository),
      config(),
    );
    await expect(service.register(alice, { connectionId: 'old=' })).rejects.toBeInstanceOf(RegistrationExpiredError);
  });

  it('works without a hook', async () => {
    const service = new SocketConnectionService(
      fakeRepository() as unknown as SocketConnectionRepository,
      usersOf(fakeRepository()),
      config(),
    );
    await expect(service.register(alice, { connectionId: 'abc=' })).resolves.toMatchObject({ created: true });
  });

  it('refuses a connection past MAX_CONNECTIONS_PER_USER with 429 and keeps no row of it; a held id is not a new one', async () => {
    const repository = fakeRepository();
    const onRegistered = jest.fn(async (_connection: RegisteredConnection) => undefined);
    const service = new SocketConnectionService(
      repository as unknown as SocketConnectionRepository,
      usersOf(repository),
      config(2),
      {
        onRegistered,
      },
    );
    await service.register(alice, { connectionId: 'a=' });
    await service.register(alice, { connectionId: 'b=' });
    await expect(service.register(alice, { connectionId: 'c=' })).rejects.toBeInstanceOf(TooManyConnectionsError);
    await expect(service.register(alice, { connectionId: 'c=' })).rejects.toMatchObject({ status: 429 });
    expect([...repository.rows.keys()]).toEqual(['a=', 'b=']);
    // Re-registering one it holds (a fresh token on the same connection) is fine; another user is not affected.
    expect((await service.register(alice, { connectionId: 'b=' })).created).toBe(false);
    expect((await service.register({ id: 2, tokenOnly: true, tokenVersion: 0 }, { connectionId: 'd=' })).created).toBe(
      true,
    );
    await tick();
    expect(onRegistered.mock.calls.map(([c]) => c.connectionId)).toEqual(['a=', 'b=', 'b=', 'd=']);
  });

  it('at the limit, rows the gateway no longer has are removed and do not count', async () => {
    const repository = fakeRepository();
    const asked: string[][] = [];
    const probe = {
      removeGoneConnections: jest.fn(async (ids: string[]) => {
        asked.push(ids);
        return Number(repository.rows.delete('a='));
      }),
    };
    const service = new SocketConnectionService(
      repository as unknown as SocketConnectionRepository,
      usersOf(repository),
      config(2),
      undefined,
      probe,
    );
    await service.register(alice, { connectionId: 'a=' });
    await service.register(alice, { connectionId: 'b=' });
    expect((await service.register(alice, { connectionId: 'c=' })).created).toBe(true);
    expect(asked).toEqual([['a=', 'b=']]);
    expect([...repository.rows.keys()]).toEqual(['b=', 'c=']);
    // Nothing gone: refused.
    await expect(service.register(alice, { connectionId: 'd=' })).rejects.toBeInstanceOf(TooManyConnectionsError);
  });
});
