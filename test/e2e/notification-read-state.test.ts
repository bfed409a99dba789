/**
 * Read state across devices through the whole stack (SQLite and MariaDB): POST /me/notifications/read
 * marks notifications read, every connection of the user gets `notification.read`, GET /me/notifications
 * shows `readAt`, and `auth.ok` carries the `unread` count.
 */
import { describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { databaseKinds } from '../support/databases.js';
import { apiJson } from '../support/stack.js';
import { collectFrames, createUser, drainFrames, sendNotification, type TestUser, useStack } from './push-support.js';

interface Item {
  id: number;
  readAt: string | null;
}

describe.each(databaseKinds())('notification read state (%s)', (kind) => {
  const suite = useStack(kind);

  const items = async (user: TestUser) =>
    (await apiJson<{ items: Item[] }>(suite.stack, '/me/notifications', { token: user.token })).body.items;
  const notify = async (user: TestUser, title: string) =>
    Number((await sendNotification(suite.stack, { userId: user.id, kind: 'test', title })).body.id);

  it('marks up to upTo read, tells every connection of the user, and shows readAt and unread', async () => {
    const user = await createUser(suite.stack, 'Reader');
    const other = await createUser(suite.stack, 'Other');
    const ids = [await notify(user, 'one'), await notify(user, 'two'), await notify(user, 'three')];
    await notify(other, 'not yours');
    expect((await items(user)).map((i) => i.readAt)).toEqual([null, null, null]);

    const phone = await suite.open(user);
    const laptop = await suite.open(user);
    expect(phone.authOk.data).toMatchObject({ unread: 3 });
    const otherSocket = await suite.open(other);

    const answer = await apiJson(suite.stack, '/me/notifications/read', { token: user.token, body: { upTo: ids[1] } });
    expect(answer.status).toBe(204);
    for (const { socket } of [phone, laptop]) {
      const frames = await collectFrames(socket, (f) => f.some((x) => x.type === 'notification.read'));
      expect(frames.filter((f) => f.type === 'notification.read')).toEqual([
        { type: 'notification.read', data: { upTo: ids[1] } },
      ]);
    }
    expect(await drainFrames(otherSocket.socket)).toEqual([]);

    const after = await items(user);
    expect(after.map((i) => i.readAt === null)).toEqual([false, false, true]);
    expect(Number.isNaN(Date.parse(after[0]!.readAt!))).toBe(false);
    expect((await items(other)).map((i) => i.readAt)).toEqual([null]);
    expect((await suite.open(user)).authOk.data).toMatchObject({ unread: 1 });

    // Again, with the id as a string: echoed as given; a repeat keeps the first readAt.
    const again = await apiJson(suite.stack, '/me/notifications/read', {
      token: user.token,
      body: { upTo: String(ids[2]) },
    });
    expect(again.status).toBe(204);
    const frames = await collectFrames(laptop.socket, (f) => f.some((x) => x.type === 'notification.read'));
    expect(frames.find((f) => f.type === 'notification.read')).toEqual({
      type: 'notification.read',
      data: { upTo: String(ids[2]) },
    });
    const final = await items(user);
    expect(final[0]!.readAt).toBe(after[0]!.readAt);
    expect(final.every((i) => i.readAt !== null)).toBe(true);
    expect((await suite.open(user)).authOk.data).toMatchObject({ unread: 0 });
  });

  it('bad input is 400 naming upTo; no token is 401', async () => {
    const user = await createUser(suite.stack, 'Bad');
    for (const body of [{}, { upTo: -1 }, { upTo: 'abc' }, { upTo: 1.5 }, { upTo: null }, { upTo: 1, extra: true }]) {
      const answer = await apiJson<{ message: string[] }>(suite.stack, '/me/notifications/read', {
        token: user.token,
        body,
      });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.message.join(' '), JSON.stringify(body)).toMatch(/upTo|extra/);
    }
    expect((await apiJson(suite.stack, '/me/notifications/read', { body: { upTo: 1 } })).status).toBe(401);
  });
});
