/**
 * Stored notifications through the whole stack: POST /notifications (who may send, validation, 404,
 * 413), GET /me/notifications paging, and the replay on `auth` with `since` — in order, each once,
 * then live ones; `recovered: false` when more than 100 were missed.
 */
import { describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { waitFor } from '../support/wait-for.js';
import { databaseKinds } from '../support/databases.js';
import { apiJson } from '../support/stack.js';
import { collectFrames, createUser, drainFrames, sendNotification, type TestUser, useStack } from './push-support.js';

describe.each(databaseKinds())('notifications and replay (%s)', (kind) => {
  const suite = useStack(kind, { adminToken: true });

  const notify = async (user: TestUser, title: string) => {
    const answer = await sendNotification(suite.stack, { userId: user.id, kind: 'test.note', title });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    return answer.body.id as number;
  };

  it('a user offline while 3 notifications are sent gets all 3 on auth with since, in order, then live ones', async () => {
    const lea = await createUser(suite.stack, 'Lea');
    const first = await suite.open(lea);
    expect(first.authOk.data).toEqual({
      userId: lea.id,
      connectionId: expect.any(String),
      replayed: 0,
      recovered: true,
      unread: 0,
    });
    const seen = await notify(lea, 'seen');
    expect((await first.socket.nextJson()).id).toBe(seen);
    await first.socket.close();
    await waitFor(
      async () =>
        expect((await apiJson<unknown[]>(suite.stack, '/me/connections', { token: lea.token })).body.length).toBe(0),
      { timeout: 10_000 },
    );

    const missed = [await notify(lea, 'one'), await notify(lea, 'two'), await notify(lea, 'three')];
    // `since` as the client got it (a number here; a numeric string works the same).
    const back = await suite.open(lea, String(seen));
    expect(back.authOk.data).toEqual({
      userId: lea.id,
      connectionId: expect.any(String),
      replayed: 3,
      recovered: true,
      // Nothing was marked read: the one seen live counts too.
      unread: 4,
    });
    const replayed = await collectFrames(back.socket, (f) => f.length === 3);
    expect(replayed.map((f) => [f.type, f.id, f.data.title])).toEqual([
      ['notification', missed[0], 'one'],
      ['notification', missed[1], 'two'],
      ['notification', missed[2], 'three'],
    ]);
    const live = await notify(lea, 'live');
    expect(await drainFrames(back.socket)).toEqual([expect.objectContaining({ type: 'notification', id: live })]);
  });

  it('notifications sent while a device authenticates are neither lost nor duplicated, and come in id order', async () => {
    for (let round = 0; round < 3; round++) {
      const max = await createUser(suite.stack, `Max ${round}`);
      const base = await notify(max, 'base');
      const burst = Promise.all(Array.from({ length: 20 }, (_, i) => notify(max, `burst ${i}`)));
      const { socket } = await suite.open(max, base);
      const ids = (await burst).sort((a, b) => a - b);
      const received = [
        ...(await collectFrames(socket, (f) => f.length === ids.length)),
        ...(await drainFrames(socket, 500)),
      ];
      expect(received.map((f) => f.id)).toEqual(ids);
    }
  });

  it('more than 100 missed: the newest 100, oldest first, with recovered: false; the rest is in GET /me/notifications', async () => {
    const ned = await createUser(suite.stack, 'Ned');
    const ids: number[] = [];
    for (let i = 0; i < 103; i++) ids.push(await notify(ned, `n${i}`));
    const { socket, authOk } = await suite.open(ned, 0);
    expect(authOk.data).toMatchObject({ replayed: 100, recovered: false });
    const frames = await collectFrames(socket, (f) => f.length === 100);
    expect(frames.map((f) => f.id)).toEqual(ids.slice(3));
    expect(await socket.silentFor(300)).toBe(true);

    const page1 = await apiJson<{ items: Array<{ id: number }>; nextCursor: number | null }>(
      suite.stack,
      '/me/notifications?limit=100',
      { token: ned.token },
    );
    expect(page1.body.items.map((n) => n.id)).toEqual(ids.slice(0, 100));
    expect(page1.body.nextCursor).toBe(ids[99]);
    const page2 = await apiJson<{
      items: Array<{ id: number; kind: string; createdAt: string }>;
      nextCursor: number | null;
    }>(suite.stack, `/me/notifications?after=${page1.body.nextCursor}`, { token: ned.token });
    expect(page2.body.items.map((n) => n.id)).toEqual(ids.slice(100));
    expect(page2.body.nextCursor).toBeNull();
    expect(page2.body.items[0]).toEqual({
      id: ids[100],
      kind: 'test.note',
      title: 'n100',
      body: null,
      data: null,
      createdAt: expect.any(String),
      readAt: null,
    });
    expect((await apiJson(suite.stack, '/me/notifications?limit=0', { token: ned.token })).status).toBe(400);
    expect((await apiJson(suite.stack, '/me/notifications?after=x', { token: ned.token })).status).toBe(400);
    expect((await apiJson(suite.stack, '/me/notifications')).status).toBe(401);
  });

  it('POST /notifications: service key or admin; 400 names bad fields; 404 unknown user; 413 before storing', async () => {
    const ola = await createUser(suite.stack, 'Ola');
    const body = { userId: ola.id, kind: 'test.note', title: 'Hi' };
    expect((await apiJson(suite.stack, '/notifications', { token: suite.adminToken, body })).status).toBe(202);
    expect((await apiJson(suite.stack, '/notifications', { token: ola.token, body })).status).toBe(403);
    expect((await apiJson(suite.stack, '/notifications', { body, headers: { 'x-api-key': 'wrong' } })).status).toBe(
      403,
    );
    // Neither a key nor a JWT: the key is what this route asks for first.
    expect((await apiJson(suite.stack, '/notifications', { body })).status).toBe(403);

    const bad = await sendNotification(suite.stack, {
      userId: 'x',
      kind: 'Bad Kind!',
      title: 't'.repeat(201),
      body: 'b'.repeat(4001),
      extra: true,
    });
    expect(bad.status).toBe(400);
    for (const field of ['userId', 'kind', 'title', 'body', 'extra'])
      expect((bad.body.message as string[]).join(' ')).toContain(field);
    expect(
      (await sendNotification(suite.stack, { userId: 99_999_999, kind: 'test.note', title: 'Nobody' })).status,
    ).toBe(404);

    const tooLarge = await sendNotification(suite.stack, {
      userId: ola.id,
      kind: 'test.big',
      title: 'Big',
      data: { blob: 'x'.repeat(131_000) },
    });
    expect(tooLarge.status).toBe(413);
    const history = await apiJson<{ items: Array<{ kind: string }> }>(suite.stack, '/me/notifications', {
      token: ola.token,
    });
    expect(history.body.items.map((n) => n.kind)).toEqual(['test.note']);
    // A numeric-string userId is accepted like a number.
    expect((await sendNotification(suite.stack, { ...body, userId: String(ola.id) })).status).toBe(202);
  });
});
