import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import type { ManagementApiClient, PostOutcome } from '../push/management-api/index.js';
import { EventTooLargeError } from '../push/prepared-event.js';
import { PushStats } from '../push/push-stats.js';
import { type ConnectionDirectory, PushService } from '../push/push.service.js';
import type { SocketConnection } from '../socket-connection/socket-connection.entity.js';
import type { SocketConnectionRepository } from '../socket-connection/socket-connection.repository.js';
import type { Notification } from './notification.entity.js';
import type { NewNotification, NotificationRepository } from './notification.repository.js';
import { NotificationRecipientNotFoundError } from './notification.errors.js';
import { NotificationDeliveryService, REPLAY_LIMIT, WELCOME_GRACE_MS } from './notification-delivery.service.js';
import { NotificationService } from './notification.service.js';

/** Stores rows like the database would: the foreign key refuses an unknown user. */
class FakeNotifications {
  rows: Notification[] = [];
  async insert(input: NewNotification): Promise<Notification> {
    if (input.userId !== USER) throw new NotificationRecipientNotFoundError(input.userId);
    const row = { ...input, id: this.rows.length + 1, createdAt: new Date() } as Notification;
    this.rows.push(row);
    return row;
  }
  async findAfter(userId: number, afterId: number, limit: number) {
    return this.rows.filter((r) => r.userId === userId && r.id > afterId).slice(0, limit);
  }
  async findNewestAfter(userId: number, afterId: number, limit: number, upToId = Infinity) {
    return this.rows
      .filter((r) => r.userId === userId && r.id > afterId && r.id <= upToId)
      .reverse()
      .slice(0, limit);
  }
  async findNewestIdAndUnread(userId: number) {
    const newestId = Math.max(0, ...this.rows.filter((r) => r.userId === userId).map((r) => r.id));
    return { newestId, unread: await this.countUnread(userId) };
  }
  async countUnread(userId: number) {
    return this.rows.filter((r) => r.userId === userId && !r.readAt).length;
  }
  async markRead(userId: number, upToId: number) {
    const unread = this.rows.filter((r) => r.userId === userId && r.id <= upToId && !r.readAt);
    for (const row of unread) row.readAt = new Date();
    return unread.length;
  }
}

/** Connection rows: what NotificationDeliveryService reads and what PushService pages through. */
class FakeConnections implements ConnectionDirectory {
  rows: Array<
    Pick<SocketConnection, 'id' | 'connectionId' | 'userId' | 'createdAt' | 'notificationsSentAfter' | 'welcomeCutoff'>
  > = [];
  add(userId: number, connectionId: string, createdAt: Date): void {
    this.rows.push({
      id: this.rows.length + 1,
      connectionId,
      userId,
      createdAt,
      notificationsSentAfter: null,
      welcomeCutoff: null,
    });
  }
  async findWelcomeState(connectionId: string) {
    const row = this.rows.find((r) => r.connectionId === connectionId);
    return row && { sentAfter: row.notificationsSentAfter, welcomeCutoff: row.welcomeCutoff };
  }
  async findNotificationsSentAfter(connectionId: string) {
    return this.rows.find((r) => r.connectionId === connectionId)?.notificationsSentAfter;
  }
  async moveNotificationsSentAfter(connectionId: string, expected: number | null, next: number, cutoff?: number) {
    const row = this.rows.find((r) => r.connectionId === connectionId);
    if (!row || row.notificationsSentAfter !== expected) return false;
    row.notificationsSentAfter = next;
    if (expected === null && cutoff !== undefined) row.welcomeCutoff = cutoff;
    return true;
  }
  async findByUser(userId: number) {
    return this.rows.filter((r) => r.userId === userId);
  }
  async findConnectionIdsByUser(userId: number) {
    return this.rows.filter((r) => r.userId === userId).map((r) => r.connectionId);
  }
  async pageConnectionIds(afterId: number, limit: number) {
    return this.rows.filter((r) => r.id > afterId).slice(0, limit);
  }
  async deleteByConnectionIds(ids: string[]) {
    const before = this.rows.length;
    this.rows = this.rows.filter((r) => !ids.includes(r.connectionId));
    return before - this.rows.length;
  }
}

/** Records the frames each connection received, in order. */
class FakeGateway {
  frames = new Map<string, Array<Record<string, any>>>();
  async postToConnection(connectionId: string, payload: Uint8Array): Promise<PostOutcome> {
    await new Promise((resolve) => setImmediate(resolve));
    const list = this.frames.get(connectionId) ?? [];
    list.push(JSON.parse(Buffer.from(payload).toString('utf8')) as Record<string, any>);
    this.frames.set(connectionId, list);
    return { kind: 'delivered' };
  }
  of(connectionId: string) {
    return this.frames.get(connectionId) ?? [];
  }
  async close() {}
}

const USER = 7;
const LONG_AGO = new Date(Date.now() - 3_600_000);

describe(NotificationDeliveryService.name, () => {
  let notifications: FakeNotifications;
  let connections: FakeConnections;
  let gateway: FakeGateway;
  let delivery: NotificationDeliveryService;
  let service: NotificationService;

  beforeEach(() => {
    notifications = new FakeNotifications();
    connections = new FakeConnections();
    gateway = new FakeGateway();
    const sockets = new PushService(
      gateway as unknown as ManagementApiClient,
      connections,
      { concurrency: 4, pageSize: 10, maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      new PushStats(),
    );
    delivery = new NotificationDeliveryService(
      notifications as unknown as NotificationRepository,
      connections as unknown as SocketConnectionRepository,
      sockets,
    );
    const idempotency = {
      execute: (_call: unknown, work: () => Promise<unknown>) => work(),
    } as unknown as IdempotencyService;
    service = new NotificationService(
      notifications as unknown as NotificationRepository,
      delivery,
      idempotency,
      sockets,
    );
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const send = (title: string) => service.sendAndReport({ userId: USER, kind: 'test', title });

  it('welcome without since: auth.ok only, replayed 0, recovered; unread counts the stored unread ones', async () => {
    await send('old');
    connections.add(USER, 'c1', new Date());
    await delivery.welcome({ connectionId: 'c1', userId: USER, created: true });
    expect(gateway.of('c1')).toEqual([
      { type: 'auth.ok', data: { userId: USER, connectionId: 'c1', replayed: 0, recovered: true, unread: 1 } },
    ]);
  });

  it('welcome with since: auth.ok, then every later notification oldest first', async () => {
    for (const title of ['a', 'b', 'c', 'd']) await send(title);
    connections.add(USER, 'c1', new Date());
    await delivery.welcome({ connectionId: 'c1', userId: USER, since: '1', created: true });
    expect(gateway.of('c1').map((f) => [f.type, f.id ?? null, f.data.replayed ?? f.data.title])).toEqual([
      ['auth.ok', null, 3],
      ['notification', 2, 'b'],
      ['notification', 3, 'c'],
      ['notification', 4, 'd'],
    ]);
  });

  it(`more than ${REPLAY_LIMIT} missed: the newest ${REPLAY_LIMIT} in ascending order and recovered: false`, async () => {
    for (let i = 0; i < REPLAY_LIMIT + 5; i++) await send(`n${i}`);
    connections.add(USER, 'c1', new Date());
    await delivery.welcome({ connectionId: 'c1', userId: USER, since: '0', created: true });
    const frames = gateway.of('c1');
    expect(frames[0]!.data).toMatchObject({ replayed: REPLAY_LIMIT, recovered: false });
    expect(frames.slice(1).map((f) => f.id)).toEqual(Array.from({ length: REPLAY_LIMIT }, (_, i) => i + 6));
  });

  it('a connection awaiting its welcome gets no live push; the welcome brings the notification once, after auth.ok', async () => {
    connections.add(USER, 'old', LONG_AGO);
    connections.add(USER, 'new', new Date());
    const report = await send('during registration');
    expect(report).toEqual({ id: 1, deliveredTo: 1, staleRemoved: 0 });
    expect(gateway.of('old').map((f) => f.id)).toEqual([1]);
    expect(gateway.of('new')).toEqual([]);

    await delivery.welcome({ connectionId: 'new', userId: USER, since: '0', created: true });
    await send('after welcome');
    expect(gateway.of('new').map((f) => f.type + (f.id ?? ''))).toEqual(['auth.ok', 'notification1', 'notification2']);
  });

  it('without since, what was held back during the registration follows auth.ok', async () => {
    connections.add(USER, 'new', new Date());
    await send('during registration');
    await delivery.welcome({ connectionId: 'new', userId: USER, created: true });
    expect(gateway.of('new').map((f) => f.type + (f.id ?? ''))).toEqual(['auth.ok', 'notification1']);
  });

  it('held back while another API copy welcomes the connection: released at once, without what its replay covered', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval'] });
    const settle = async () => {
      for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    connections.add(USER, 'other-copy', new Date());
    await send('one'); // stored before the other copy's welcome: its replay (since 0) carries it
    expect(gateway.of('other-copy')).toEqual([]);
    // The other copy's welcome, as the database records it: replayed (0, 1], everything above 0 reached it.
    await connections.moveNotificationsSentAfter('other-copy', null, 0, 1);
    await send('two'); // the row is welcomed now: live
    await settle();
    expect(gateway.of('other-copy').map((f) => f.id)).toEqual([2]);
    // The held-back 'one' is released at the next look at the row, and dropped: the welcome sent it.
    jest.advanceTimersByTime(WELCOME_GRACE_MS);
    await settle();
    expect(gateway.of('other-copy').map((f) => f.id)).toEqual([2]);
    await send('three');
    await settle();
    expect(gateway.of('other-copy').map((f) => f.id)).toEqual([2, 3]);
  });

  it('held-back notifications are pushed in order when no welcome comes within the grace period (registered elsewhere)', async () => {
    jest.useFakeTimers({
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'requestAnimationFrame',
        'cancelAnimationFrame',
        'requestIdleCallback',
        'cancelIdleCallback',
        'Temporal',
      ],
    });
    connections.add(USER, 'elsewhere', new Date());
    await send('one');
    await send('two');
    expect(gateway.of('elsewhere')).toEqual([]);
    jest.advanceTimersByTime(WELCOME_GRACE_MS);
    // setImmediate is not faked: let the release and its pushes run.
    for (let i = 0; i < 50 && gateway.of('elsewhere').length < 2; i++)
      await new Promise((resolve) => setImmediate(resolve));
    expect(gateway.of('elsewhere').map((f) => f.id)).toEqual([1, 2]);
    // From now on the connection is old enough to get pushes live.
    await send('three');
    expect(gateway.of('elsewhere').map((f) => f.id)).toEqual([1, 2, 3]);
  });

  const ids = (connectionId: string) =>
    gateway.of(connectionId).map((f) => (f.type === 'auth.ok' ? `ok${f.data.replayed}` : f.id));

  it('a repeated auth with since 0 answers auth.ok and replays nothing already replayed or pushed live', async () => {
    for (const title of ['a', 'b']) await send(title);
    connections.add(USER, 'c1', new Date());
    await delivery.welcome({
      connectionId: 'c1',
      userId: USER,
      since: '0',
      created: true,
      notificationsSentAfter: null,
    });
    await send('live');
    for (let i = 0; i < 5; i++)
      await delivery.welcome({ connectionId: 'c1', userId: USER, since: '0', created: false });
    expect(ids('c1')).toEqual(['ok2', 1, 2, 3, 'ok0', 'ok0', 'ok0', 'ok0', 'ok0']);
    expect(connections.rows[0]!.notificationsSentAfter).toBe(0);
  });

  it('a repeated auth asking for older notifications than the connection got replays only those, once', async () => {
    for (const title of ['a', 'b', 'c', 'd']) await send(title);
    connections.add(USER, 'c1', new Date());
    await delivery.welcome({
      connectionId: 'c1',
      userId: USER,
      since: '2',
      created: true,
      notificationsSentAfter: null,
    });
    await delivery.welcome({ connectionId: 'c1', userId: USER, since: '0', created: false });
    await delivery.welcome({ connectionId: 'c1', userId: USER, since: '0', created: false });
    expect(ids('c1')).toEqual(['ok2', 3, 4, 'ok2', 1, 2, 'ok0']);
  });

  it('without since the mark sits below what follows auth.ok: a later since 0 brings only the older ones', async () => {
    await send('before');
    connections.add(USER, 'c1', new Date());
    await send('held back');
    await delivery.welcome({ connectionId: 'c1', userId: USER, created: true, notificationsSentAfter: null });
    await send('live');
    await delivery.welcome({ connectionId: 'c1', userId: USER, since: '0', created: false });
    expect(ids('c1')).toEqual(['ok0', 2, 3, 'ok1', 1]);
  });

  it('a since beyond every id does not hide later live notifications from a later auth', async () => {
    await send('a');
    connections.add(USER, 'c1', new Date());
    await delivery.welcome({
      connectionId: 'c1',
      userId: USER,
      since: '999999',
      created: true,
      notificationsSentAfter: null,
    });
    await send('live');
    await delivery.welcome({ connectionId: 'c1', userId: USER, since: '0', created: false });
    expect(ids('c1')).toEqual(['ok0', 2, 'ok1', 1]);
  });

  it('a stale hint (another API copy welcomed the connection first) is corrected before anything is replayed', async () => {
    for (const title of ['a', 'b']) await send(title);
    connections.add(USER, 'c1', new Date());
    connections.rows[0]!.notificationsSentAfter = 0;
    await delivery.welcome({
      connectionId: 'c1',
      userId: USER,
      since: '0',
      created: true,
      notificationsSentAfter: null,
    });
    expect(ids('c1')).toEqual(['ok0']);
  });

  it('a connection whose row is gone gets auth.ok and no replay (nothing could record it)', async () => {
    await send('a');
    await delivery.welcome({
      connectionId: 'gone',
      userId: USER,
      since: '0',
      created: true,
      notificationsSentAfter: null,
    });
    expect(ids('gone')).toEqual(['ok0']);
  });

  it('refuses an event over 128 KB before storing anything (413), and unknown users (404)', async () => {
    await expect(
      service.send({ userId: USER, kind: 'big', title: 'Big', data: 'x'.repeat(131_072) }),
    ).rejects.toBeInstanceOf(EventTooLargeError);
    await expect(service.send({ userId: 999, kind: 'x', title: 'Nobody' })).rejects.toBeInstanceOf(
      NotificationRecipientNotFoundError,
    );
    expect(notifications.rows).toEqual([]);
  });
});
