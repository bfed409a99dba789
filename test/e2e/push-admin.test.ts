/**
 * Admin live inspection through the whole stack: one connection as the gateway sees it
 * (GetConnection), a kick (DeleteConnection: the client's socket closes, the row goes), the stats,
 * and 403 for everyone else.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import type { DataSource } from 'typeorm';
import { databaseKinds } from '../support/databases.js';
import { apiJson, login, startStack, type Stack } from '../support/stack.js';
import type { TestSocket } from '../support/ws-client.js';
import {
  connect,
  connectionRowExists,
  createUser,
  insertPhantomConnections,
  openDatabase,
  phantomConnectionId,
  sendNotification,
  type TestUser,
} from './push-support.js';

describe.each(databaseKinds())('admin live inspection (%s)', (kind) => {
  let stack: Stack;
  let db: DataSource;
  let adminToken: string;
  let pam: TestUser;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    stack = await startStack({ database: kind });
    db = await openDatabase(stack);
    adminToken = await login(stack, 'admin@gavel.test');
    pam = await createUser(stack, 'Pam');
  }, 120_000);
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close().catch(() => undefined)));
    await db?.destroy();
    await stack?.stop();
  }, 120_000);

  it("GET /admin/connections/:id: the row plus the gateway's live view; live: null (and the row removed) when the gateway lost it", async () => {
    const { socket, authOk } = await connect(stack, pam);
    sockets.push(socket);
    const id = authOk.data.connectionId;
    const detail = await apiJson<Record<string, any>>(stack, `/admin/connections/${encodeURIComponent(id)}`, {
      token: adminToken,
    });
    expect(detail.status).toBe(200);
    expect(detail.body).toEqual({
      connectionId: id,
      userId: pam.id,
      email: pam.email,
      createdAt: expect.any(String),
      lastSeenAt: expect.any(String),
      sourceIp: '127.0.0.1',
      userAgent: expect.any(String),
      live: { connectedAt: expect.any(String), lastActiveAt: expect.any(String) },
      subscriptions: [],
    });
    expect(new Date(detail.body.live.connectedAt).getTime()).toBeLessThanOrEqual(Date.now());

    const [phantom] = await insertPhantomConnections(db, pam.id, 1);
    const gone = await apiJson<Record<string, any>>(stack, `/admin/connections/${encodeURIComponent(phantom!)}`, {
      token: adminToken,
    });
    expect(gone.body).toMatchObject({ connectionId: phantom, live: null });
    expect(await connectionRowExists(db, phantom!)).toBe(false);
    expect(
      (await apiJson(stack, `/admin/connections/${encodeURIComponent(phantom!)}`, { token: adminToken })).status,
    ).toBe(404);
  });

  it('DELETE /admin/connections/:id kicks: the client sees its socket closed and the row is gone; unknown ids are 404', async () => {
    const { socket, authOk } = await connect(stack, pam);
    sockets.push(socket);
    const id = authOk.data.connectionId;
    const kicked = await apiJson(stack, `/admin/connections/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      token: adminToken,
    });
    expect(kicked.status).toBe(204);
    const closed = await Promise.race([socket.closed, sleep(5_000, 'still open')]);
    expect(closed).toMatchObject({ code: expect.any(Number) });
    expect(await connectionRowExists(db, id)).toBe(false);
    expect(
      (
        await apiJson(stack, `/admin/connections/${encodeURIComponent(phantomConnectionId())}`, {
          method: 'DELETE',
          token: adminToken,
        })
      ).status,
    ).toBe(404);
  });

  it('GET /admin/stats counts users online, connections and pushes', async () => {
    const quinn = await createUser(stack, 'Quinn');
    for (const user of [quinn, quinn, pam]) sockets.push((await connect(stack, user)).socket);
    const before = await apiJson<Record<string, any>>(stack, '/admin/stats', { token: adminToken });
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      usersOnline: expect.any(Number),
      connections: expect.any(Number),
      pushes: {
        sent: expect.any(Number),
        failed: expect.any(Number),
        staleRemoved: expect.any(Number),
        retries: expect.any(Number),
      },
    });
    const rows = await apiJson<{ items: Array<{ userId: number }>; total: number }>(
      stack,
      '/admin/connections?limit=500',
      { token: adminToken },
    );
    expect(before.body.connections).toBe(rows.body.total);
    expect(before.body.usersOnline).toBe(new Set(rows.body.items.map((r) => r.userId)).size);
    expect(before.body.usersOnline).toBeGreaterThanOrEqual(2);

    expect(
      (await sendNotification(stack, { userId: quinn.id, kind: 'test.stats', title: 'Count me' })).body.deliveredTo,
    ).toBe(2);
    const after = await apiJson<Record<string, any>>(stack, '/admin/stats', { token: adminToken });
    expect(after.body.pushes.sent).toBe(before.body.pushes.sent + 2);
  });

  it('a non-admin gets 403 on every admin endpoint', async () => {
    const id = encodeURIComponent(phantomConnectionId());
    for (const [method, path] of [
      ['GET', `/admin/connections/${id}`],
      ['DELETE', `/admin/connections/${id}`],
      ['GET', '/admin/stats'],
    ] as const) {
      expect((await apiJson(stack, path, { method, token: pam.token })).status, `${method} ${path}`).toBe(403);
      expect((await apiJson(stack, path, { method })).status, `${method} ${path} without a token`).toBe(401);
    }
  });
});
