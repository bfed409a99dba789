/**
 * Admin live inspection through the whole stack: one connection as the gateway sees it
 * (GetConnection), a kick (DeleteConnection: the client's socket closes, the row goes), the stats,
 * and 403 for everyone else.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { databaseKinds } from '../support/databases.js';
import { apiJson } from '../support/stack.js';
import {
  connectionRowExists,
  createUser,
  insertPhantomConnections,
  phantomConnectionId,
  sendNotification,
  type TestUser,
  useStack,
} from './push-support.js';

describe.each(databaseKinds())('admin live inspection (%s)', (kind) => {
  const suite = useStack(kind, { dataSource: true, adminToken: true });
  let pam: TestUser;

  beforeAll(async () => {
    pam = await createUser(suite.stack, 'Pam');
  }, 120_000);

  it("GET /admin/connections/:id: the row plus the gateway's live view; live: null (and the row removed) when the gateway lost it", async () => {
    const { authOk } = await suite.open(pam);
    const id = authOk.data.connectionId;
    const detail = await apiJson<Record<string, any>>(suite.stack, `/admin/connections/${encodeURIComponent(id)}`, {
      token: suite.adminToken,
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

    const [phantom] = await insertPhantomConnections(suite.db, pam.id, 1);
    const gone = await apiJson<Record<string, any>>(suite.stack, `/admin/connections/${encodeURIComponent(phantom!)}`, {
      token: suite.adminToken,
    });
    expect(gone.body).toMatchObject({ connectionId: phantom, live: null });
    expect(await connectionRowExists(suite.db, phantom!)).toBe(false);
    expect(
      (await apiJson(suite.stack, `/admin/connections/${encodeURIComponent(phantom!)}`, { token: suite.adminToken }))
        .status,
    ).toBe(404);
  });

  it('DELETE /admin/connections/:id kicks: the client sees its socket closed and the row is gone; unknown ids are 404', async () => {
    const { socket, authOk } = await suite.open(pam);
    const id = authOk.data.connectionId;
    const kicked = await apiJson(suite.stack, `/admin/connections/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      token: suite.adminToken,
    });
    expect(kicked.status).toBe(204);
    const closed = await Promise.race([socket.closed, sleep(5_000, 'still open')]);
    expect(closed).toMatchObject({ code: expect.any(Number) });
    expect(await connectionRowExists(suite.db, id)).toBe(false);
    expect(
      (
        await apiJson(suite.stack, `/admin/connections/${encodeURIComponent(phantomConnectionId())}`, {
          method: 'DELETE',
          token: suite.adminToken,
        })
      ).status,
    ).toBe(404);
  });

  it('GET /admin/stats counts users online, connections and pushes', async () => {
    const quinn = await createUser(suite.stack, 'Quinn');
    for (const user of [quinn, quinn, pam]) await suite.open(user);
    const before = await apiJson<Record<string, any>>(suite.stack, '/admin/stats', { token: suite.adminToken });
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
      suite.stack,
      '/admin/connections?limit=500',
      { token: suite.adminToken },
    );
    expect(before.body.connections).toBe(rows.body.total);
    expect(before.body.usersOnline).toBe(new Set(rows.body.items.map((r) => r.userId)).size);
    expect(before.body.usersOnline).toBeGreaterThanOrEqual(2);

    expect(
      (await sendNotification(suite.stack, { userId: quinn.id, kind: 'test.stats', title: 'Count me' })).body
        .deliveredTo,
    ).toBe(2);
    const after = await apiJson<Record<string, any>>(suite.stack, '/admin/stats', { token: suite.adminToken });
    expect(after.body.pushes.sent).toBe(before.body.pushes.sent + 2);
  });

  it('a non-admin gets 403 on every admin endpoint', async () => {
    const id = encodeURIComponent(phantomConnectionId());
    for (const [method, path] of [
      ['GET', `/admin/connections/${id}`],
      ['DELETE', `/admin/connections/${id}`],
      ['GET', '/admin/stats'],
    ] as const) {
      expect((await apiJson(suite.stack, path, { method, token: pam.token })).status, `${method} ${path}`).toBe(403);
      expect((await apiJson(suite.stack, path, { method })).status, `${method} ${path} without a token`).toBe(401);
    }
  });
});
