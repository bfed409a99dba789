/**
 * A repeated `auth` on a registered connection (security issue: one frame, a hundred pushes): it answers
 * `auth.ok` and replays nothing that connection has already been sent — neither what an earlier `auth`
 * replayed nor what was pushed live since — while a new connection of the same user still gets the replay.
 */
import { describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { databaseKinds } from '../support/databases.js';
import type { TestSocket } from '../support/ws-client.js';
import {
  collectFrames,
  createUser,
  drainFrames,
  type Frame,
  sendNotification,
  type TestUser,
  useStack,
} from './push-support.js';

const REPEATS = 40;

describe.each(databaseKinds())('repeated auth on one connection (%s)', (kind) => {
  const suite = useStack(kind);

  const notify = async (user: TestUser, title: string) => {
    const answer = await sendNotification(suite.stack, { userId: user.id, kind: 'test.note', title });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    return answer.body.id as number;
  };
  const reauth = (socket: TestSocket, user: TestUser, since: number | string = '0') =>
    socket.send({ action: 'auth', token: user.token, since });
  const authOks = (frames: Frame[]) => frames.filter((f) => f.type === 'auth.ok');
  const notifications = (frames: Frame[]) => frames.filter((f) => f.type === 'notification');

  it(`${REPEATS} more auth frames with since "0" each answer auth.ok with replayed 0; the socket gets each notification once`, async () => {
    const ada = await createUser(suite.stack, 'Ada');
    const stored: number[] = [];
    for (let i = 0; i < 5; i++) stored.push(await notify(ada, `stored ${i}`));

    const { socket, authOk } = await suite.open(ada, '0');
    expect(authOk.data).toEqual({
      userId: ada.id,
      connectionId: expect.any(String),
      replayed: stored.length,
      recovered: true,
      unread: stored.length,
    });
    const replayed = await collectFrames(socket, (f) => f.length === stored.length);
    expect(replayed.map((f) => f.id)).toEqual(stored);

    for (let i = 0; i < REPEATS; i++) reauth(socket, ada);
    const answers = await collectFrames(socket, (f) => authOks(f).length === REPEATS);
    const after = [...answers, ...(await drainFrames(socket, 500))];
    expect(notifications(after)).toEqual([]);
    expect(authOks(after).map((f) => f.data)).toEqual(
      Array.from({ length: REPEATS }, () => ({
        userId: ada.id,
        connectionId: authOk.data.connectionId,
        replayed: 0,
        recovered: true,
        unread: stored.length,
      })),
    );
  });

  it('auth frames sent back to back: exactly one of them replays, and each notification arrives once', async () => {
    const bo = await createUser(suite.stack, 'Bo');
    const stored: number[] = [];
    for (let i = 0; i < 3; i++) stored.push(await notify(bo, `stored ${i}`));
    const { socket, authOk } = await suite.open(bo, '0');
    // The first auth.ok is already here; the others race its replay through the gateway and the API.
    for (let i = 0; i < 10; i++) reauth(socket, bo);
    const frames = [
      authOk as unknown as Frame,
      ...(await collectFrames(socket, (f) => authOks(f).length >= 10 && notifications(f).length >= stored.length)),
      ...(await drainFrames(socket, 500)),
    ];
    expect(authOks(frames)).toHaveLength(11);
    expect(notifications(frames).map((f) => f.id)).toEqual(stored);
    expect(authOks(frames).reduce((sum, f) => sum + (f.data.replayed as number), 0)).toBe(stored.length);
  });

  it('notifications pushed live after registration are not replayed by a repeated auth; a new connection still gets the replay', async () => {
    const cy = await createUser(suite.stack, 'Cy');
    const before = [await notify(cy, 'before 1'), await notify(cy, 'before 2')];
    const { socket } = await suite.open(cy, '0');
    expect((await collectFrames(socket, (f) => f.length === before.length)).map((f) => f.id)).toEqual(before);

    const live = [await notify(cy, 'live 1'), await notify(cy, 'live 2'), await notify(cy, 'live 3')];
    expect((await collectFrames(socket, (f) => f.length === live.length)).map((f) => f.id)).toEqual(live);

    reauth(socket, cy, '0');
    reauth(socket, cy, before[1]!);
    const repeated = [
      ...(await collectFrames(socket, (f) => authOks(f).length === 2)),
      ...(await drainFrames(socket, 500)),
    ];
    expect(repeated.map((f) => [f.type, f.data.replayed])).toEqual([
      ['auth.ok', 0],
      ['auth.ok', 0],
    ]);

    // Still registered: a later notification arrives once, live, and is not replayed afterwards either.
    const later = await notify(cy, 'later');
    expect((await collectFrames(socket, (f) => f.length === 1)).map((f) => f.id)).toEqual([later]);
    reauth(socket, cy, '0');
    expect((await collectFrames(socket, (f) => f.length === 1)).map((f) => f.data)).toEqual([
      expect.objectContaining({ replayed: 0 }),
    ]);
    expect(await drainFrames(socket, 500)).toEqual([]);

    // Another device of the same user: everything after its `since`, as ever.
    const everything = [...before, ...live, later];
    const other = await suite.open(cy, '0');
    expect(other.authOk.data).toMatchObject({ replayed: everything.length, recovered: true });
    expect((await collectFrames(other.socket, (f) => f.length === everything.length)).map((f) => f.id)).toEqual(
      everything,
    );
  });

  it('a connection that authenticated without since gets the older notifications once when it later asks for them', async () => {
    const di = await createUser(suite.stack, 'Di');
    const old = [await notify(di, 'old 1'), await notify(di, 'old 2')];
    const { socket, authOk } = await suite.open(di);
    expect(authOk.data).toMatchObject({ replayed: 0 });
    const live = await notify(di, 'live');
    expect((await collectFrames(socket, (f) => f.length === 1)).map((f) => f.id)).toEqual([live]);

    // It never got the two older ones: they come now, and the live one does not come again.
    reauth(socket, di, '0');
    const frames = await collectFrames(socket, (f) => f.length === 1 + old.length);
    expect(frames.map((f) => (f.type === 'auth.ok' ? f.data.replayed : f.id))).toEqual([old.length, ...old]);
    reauth(socket, di, '0');
    expect((await collectFrames(socket, (f) => f.length === 1)).map((f) => f.data.replayed)).toEqual([0]);
    expect(await drainFrames(socket, 500)).toEqual([]);
  });
});
