/**
 * Registration lifetime through the whole stack (SQLite and MariaDB), with 4-second access tokens:
 * at the token's exp the connection gets `auth.expired` and is closed; an `auth` with a fresh token on
 * the same connection before then keeps it registered (nothing replayed twice); a fresh `auth` racing the
 * expiry ends either registered or closed, never open and silently unregistered.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { databaseKinds } from '../support/databases.js';
import { apiJson, login, startStack, type Stack } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import type { TestSocket } from '../support/ws-client.js';
import { collectFrames, connect, createUser, drainFrames, type Frame, sendNotification } from './push-support.js';

// exp has a resolution of one second: a token signed in the same second as another expires with it.
const TOKEN_SECONDS = 4;
const PASSWORD = 'correct horse battery';

/** The `exp` of a JWT, in ms. */
const expOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp * 1000;

describe.each(databaseKinds())('registration lifetime (%s)', (kind) => {
  let stack: Stack;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    stack = await startStack({
      database: kind,
      apiEnv: {
        JWT_EXPIRES_IN: `${TOKEN_SECONDS}s`,
        // Tokens live 4 s, so the admin polls with a fresh login each time: not what the login limit is tested with.
        LOGIN_RATE_LIMIT: '1000',
      },
    });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close().catch(() => undefined)));
    await stack?.stop();
  }, 120_000);

  const connections = async (userId: number) =>
    (
      await apiJson<{ total: number }>(stack, `/admin/connections?userId=${userId}`, {
        token: await login(stack, 'admin@gavel.test'),
      })
    ).body.total;

  it('at exp: auth.expired {expiredAt}, no more pushes, then closed and the row removed', async () => {
    const user = await createUser(stack, 'Exp');
    const { socket } = await connect(stack, user);
    sockets.push(socket);
    const exp = expOf(user.token);
    const frame = await socket.nextJson<Frame>(TOKEN_SECONDS * 1000 + 5_000);
    expect(frame).toEqual({ type: 'auth.expired', data: { expiredAt: new Date(exp).toISOString() } });
    expect(Date.now()).toBeGreaterThanOrEqual(exp);
    const closed = await socket.closed;
    expect(closed.code).toBe(1000);
    expect(await connections(user.id)).toBe(0);
    expect((await sendNotification(stack, { userId: user.id, kind: 'x', title: 'late' })).body.deliveredTo).toBe(0);
  });

  it('auth again with a fresh token before exp keeps the connection registered past the first exp; nothing replayed twice', async () => {
    const user = await createUser(stack, 'Fresh');
    const { socket } = await connect(stack, user, 0);
    sockets.push(socket);
    const first = Number((await sendNotification(stack, { userId: user.id, kind: 'x', title: 'one' })).body.id);
    expect((await socket.nextJson<Frame>()).id).toBe(first);
    const firstExp = expOf(user.token);
    await sleep(Math.max(0, firstExp - Date.now() - 1_000));
    const fresh = await login(stack, user.email, PASSWORD);
    expect(expOf(fresh)).toBeGreaterThan(firstExp);
    socket.send({ action: 'auth', token: fresh, since: 0 });
    const ok = await socket.nextJson<Frame>();
    expect(ok).toMatchObject({ type: 'auth.ok', data: { replayed: 0 } });
    // Past the first token's exp: still registered, still receiving.
    await sleep(Math.max(0, firstExp - Date.now() + 1_000));
    const second = Number((await sendNotification(stack, { userId: user.id, kind: 'x', title: 'two' })).body.id);
    expect(await collectFrames(socket, (f) => f.length === 1)).toEqual([expect.objectContaining({ id: second })]);
    // And at the fresh token's exp it expires like any other.
    const last = await socket.nextJson<Frame>(TOKEN_SECONDS * 1000 + 5_000);
    expect(last).toEqual({ type: 'auth.expired', data: { expiredAt: new Date(expOf(fresh)).toISOString() } });
    await socket.closed;
  });

  /** Signs in as the web client does: the access token and the gavel_refresh cookie. */
  const signIn = async (email: string) => {
    const response = await fetch(`${stack.apiUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    const cookie = /gavel_refresh=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')![1]!;
    return { token: ((await response.json()) as { accessToken: string }).accessToken, cookie };
  };
  /** POST /auth/refresh with the cookie: the web client's way to a fresh token. */
  const refresh = async (cookie: string) => {
    const response = await fetch(`${stack.apiUrl}/auth/refresh`, {
      method: 'POST',
      headers: { cookie: `gavel_refresh=${cookie}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { accessToken: string }).accessToken;
  };

  it('race: an auth with a refreshed token racing the expiry ends registered (and receiving) or closed — never open and unregistered', async () => {
    const created = await createUser(stack, 'Racer');
    const session = await signIn(created.email);
    const user = { ...created, token: session.token };
    const opened = await Promise.all(Array.from({ length: 6 }, () => connect(stack, user)));
    sockets.push(...opened.map((o) => o.socket));
    const exp = expOf(user.token);
    await sleep(Math.max(0, exp - Date.now() - 1_000));
    const fresh = await refresh(session.cookie);
    expect(expOf(fresh)).toBeGreaterThan(exp + 1_000);
    // Re-auth around the first exp: some before, some just at it, some after the sweep.
    await Promise.all(
      opened.map(async ({ socket }, i) => {
        await sleep(Math.max(0, exp - Date.now() - 600 + i * 250));
        socket.send({ action: 'auth', token: fresh });
      }),
    );
    await sleep(Math.max(0, exp - Date.now() + 1_500));
    const sent = await sendNotification(stack, { userId: user.id, kind: 'x', title: 'after' });
    const note = Number(sent.body.id);
    // Which sockets were still open once the push was done; then what each received.
    const openAfterPush = opened.map(({ socket }) => socket.ws.readyState === socket.ws.OPEN);
    const received = await Promise.all(opened.map(({ socket }) => drainFrames(socket, 800)));
    let registered = 0;
    for (const [i, frames] of received.entries()) {
      const gotNote = frames.some((f) => f.type === 'notification' && Number(f.id) === note);
      // Open after the push means registered and reached; closed means it was told why first.
      expect(gotNote).toBe(openAfterPush[i]);
      if (openAfterPush[i]) registered++;
      else expect(frames.some((f) => f.type === 'auth.expired' || f.type === 'auth.error')).toBe(true);
    }
    expect(sent.body.deliveredTo).toBe(registered);
    await waitFor(async () => expect(await connections(user.id)).toBe(registered), { timeout: 5_000 });
    expect(registered).toBeGreaterThan(0);
  });
});
