/**
 * MAX_CONNECTIONS_PER_USER through the real gateway and Lambdas (contract §5): a user's 21st `auth` gets
 * `auth.error` 429 and no row, the 20 keep receiving pushes, re-auth on a held connection is not a new one,
 * and a freed place can be taken.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import type { AuthErrorEvent, AuthOkEvent } from '@gavel/contracts';
import { databaseKinds } from '../support/databases.js';
import { apiJson, login, STACK_SECRETS } from '../support/stack.js';
import { TestSocket } from '../support/ws-client.js';
import { useStack } from './push-support.js';

const MAX = 20;

describe.each(databaseKinds())('whole stack: at most 20 connections per user (%s)', (kind) => {
  const suite = useStack(kind);

  const open = async () => {
    const socket = await TestSocket.open(suite.stack.wsUrl);
    suite.track(socket);
    return socket;
  };
  const authenticate = async (socket: TestSocket, token: string) => {
    socket.send({ action: 'auth', token });
    return socket.nextJson<AuthOkEvent | AuthErrorEvent>(10_000);
  };

  it('the 21st auth gets auth.error 429 while the first 20 still receive pushes', async () => {
    const email = `many-tabs-${kind}@example.com`;
    const registered = await apiJson<{ id: number }>(suite.stack, '/auth/register', {
      body: { email, password: 'password-123', displayName: 'Tabs' },
    });
    expect(registered.status).toBe(201);
    const token = await login(suite.stack, email, 'password-123');
    const own = async () =>
      (await apiJson<Array<{ connectionId: string }>>(suite.stack, '/me/connections', { token })).body;

    const held: TestSocket[] = [];
    for (let i = 0; i < MAX; i++) {
      const socket = await open();
      const answer = await authenticate(socket, token);
      expect(answer.type, suite.stack.output()).toBe('auth.ok');
      held.push(socket);
    }
    const extra = await open();
    expect(await authenticate(extra, token)).toEqual({
      type: 'auth.error',
      data: { status: 429, message: expect.stringContaining(`${MAX} connections`) },
    });
    expect(await own()).toHaveLength(MAX);
    extra.send({ action: 'ping' });
    expect(await extra.nextJson()).toEqual({ type: 'pong' });

    // Every one of the 20 is still registered and pushed to; the refused one gets nothing.
    const pushed = await apiJson<{ deliveredTo: number }>(suite.stack, '/notifications', {
      headers: { 'x-api-key': STACK_SECRETS.SERVICE_API_KEY },
      body: { userId: registered.body.id, kind: 'test', title: 'to every tab' },
    });
    expect(pushed.status).toBe(202);
    expect(pushed.body.deliveredTo).toBe(MAX);
    for (const socket of held)
      expect(await socket.nextJson(10_000)).toMatchObject({ type: 'notification', data: { title: 'to every tab' } });
    expect(await extra.silentFor(300)).toBe(true);

    // A fresh auth on a connection the user holds is not a new connection.
    expect((await authenticate(held[0]!, token)).type).toBe('auth.ok');

    // A place freed by a close can be taken.
    await held[1]!.close();
    for (let i = 0; i < 100 && (await own()).length === MAX; i++) await sleep(100);
    expect((await authenticate(extra, token)).type).toBe('auth.ok');
    expect(await own()).toHaveLength(MAX);
  });
});
