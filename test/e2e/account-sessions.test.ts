/**
 * Users across devices through the whole stack (real gateway, real ws clients, SQLite and MariaDB):
 * sign out everywhere, block / unblock, closing a user's connections, the admin user view and search,
 * presence — and the races of issue #16: logout-all while a notification is pushed, block during bids,
 * a blocked user's `auth` in flight.
 */
import { describe, it } from '@jest/globals';
import type { AuthErrorEvent, AuthOkEvent } from '@gavel/contracts';
import { expect } from '../support/expect.js';
import { databaseKinds } from '../support/databases.js';
import { apiJson, login, STACK_SECRETS } from '../support/stack.js';
import { waitFor } from '../support/wait-for.js';
import { TestSocket } from '../support/ws-client.js';
import { createAuction, createUser, placeBid, sendNotification, type TestUser, useStack } from './push-support.js';

const PASSWORD = 'correct horse battery';

describe.each(databaseKinds())('users across devices (%s)', (kind) => {
  const suite = useStack(kind, { adminToken: true });

  const open = (user: TestUser, token = user.token) => suite.open({ ...user, token });
  const adminView = async (id: number) =>
    (await apiJson<Record<string, any>>(suite.stack, `/admin/users/${id}`, { token: suite.adminToken })).body;
  const closedSoon = async (socket: TestSocket) => {
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      socket.closed,
      new Promise<null>((r) => {
        timer = setTimeout(() => r(null), 5_000);
      }),
    ]);
    clearTimeout(timer);
    expect(closed).not.toBeNull();
  };

  describe('POST /auth/logout-all', () => {
    it('revokes every token issued until now (REST 401, auth → auth.error 401) and closes every connection at once', async () => {
      const user = await createUser(suite.stack, 'Lou');
      const secondToken = await login(suite.stack, user.email, PASSWORD);
      const phone = await open(user);
      const laptop = await open(user, secondToken);
      expect((await adminView(user.id)).connections).toBe(2);

      const answer = await apiJson(suite.stack, '/auth/logout-all', { method: 'POST', token: user.token });
      expect(answer.status).toBe(204);
      // Closed before the 204 was sent: the gateway has closed both.
      await Promise.all([closedSoon(phone.socket), closedSoon(laptop.socket)]);
      expect(await adminView(user.id)).toMatchObject({ connections: 0, online: false });

      for (const token of [user.token, secondToken]) {
        expect((await apiJson(suite.stack, '/auth/me', { token })).status).toBe(401);
        const socket = await TestSocket.open(suite.stack.wsUrl);
        suite.track(socket);
        socket.send({ action: 'auth', token });
        expect(await socket.nextJson<AuthErrorEvent>(10_000)).toEqual({
          type: 'auth.error',
          data: { status: 401, message: 'Token revoked' },
        });
      }
      expect((await apiJson(suite.stack, '/auth/logout-all', { method: 'POST', token: user.token })).status).toBe(401);
      // A new sign-in works.
      const fresh = await login(suite.stack, user.email, PASSWORD);
      expect((await apiJson(suite.stack, '/auth/me', { token: fresh })).status).toBe(200);
      await open(user, fresh);
    });

    it('needs a token', async () => {
      expect((await apiJson(suite.stack, '/auth/logout-all', { method: 'POST' })).status).toBe(401);
      expect((await apiJson(suite.stack, '/auth/logout-all', { method: 'POST', token: 'not-a-jwt' })).status).toBe(401);
    });

    it('race: logout-all while notifications are being pushed — nothing arrives after the 204', async () => {
      const user = await createUser(suite.stack, 'Rae');
      const { socket } = await open(user);
      const arrivals: Array<{ at: number; type: string }> = [];
      let closedAt = Infinity;
      socket.ws.on('message', (data) =>
        arrivals.push({ at: performance.now(), type: (JSON.parse(String(data)) as { type: string }).type }),
      );
      void socket.closed.then(() => (closedAt = performance.now()));

      let sending = true;
      const sender = (async () => {
        let sent = 0;
        while (sending) {
          await sendNotification(suite.stack, { userId: user.id, kind: 'race', title: `n${sent++}` });
        }
        return sent;
      })();
      await waitFor(() => expect(arrivals.length).toBeGreaterThan(2), { timeout: 10_000 });
      const answer = await apiJson(suite.stack, '/auth/logout-all', { method: 'POST', token: user.token });
      const answeredAt = performance.now();
      expect(answer.status).toBe(204);
      // Pushes keep being asked for after the 204: none reaches the socket, and none counts as delivered.
      const afterwards = await sendNotification(suite.stack, { userId: user.id, kind: 'race', title: 'after' });
      expect(afterwards.body.deliveredTo).toBe(0);
      sending = false;
      expect(await sender).toBeGreaterThan(0);
      await closedSoon(socket);
      // Every frame arrived before the server's close, which came at once after the 204.
      expect(arrivals.every((a) => a.at <= closedAt)).toBe(true);
      expect(closedAt - answeredAt).toBeLessThan(1_000);
      expect(arrivals.filter((a) => a.type === 'notification').length).toBeGreaterThan(0);
    });
  });

  describe('admin: users, block, connections', () => {
    it('GET /admin/users/:id: the user with blocked, online, connections; GET /admin/users?email= finds by e-mail or prefix', async () => {
      const user = await createUser(suite.stack, 'Vic');
      await open(user);
      expect(await adminView(user.id)).toEqual({
        id: user.id,
        email: user.email,
        displayName: 'Vic',
        roles: ['user'],
        createdAt: expect.any(String),
        blocked: false,
        online: true,
        connections: 1,
        lastSeenAt: expect.any(String),
      });
      const exact = await apiJson<{ items: any[] }>(
        suite.stack,
        `/admin/users?email=${encodeURIComponent(user.email)}`,
        {
          token: suite.adminToken,
        },
      );
      expect(exact.body.items.map((u) => u.id)).toEqual([user.id]);
      const prefix = await apiJson<{ items: any[] }>(
        suite.stack,
        `/admin/users?email=${user.email.slice(0, 4).toUpperCase()}`,
        {
          token: suite.adminToken,
        },
      );
      expect(prefix.body.items.map((u) => u.id)).toContain(user.id);
      // LIKE wildcards are matched literally.
      const wildcard = await apiJson<{ items: any[] }>(suite.stack, '/admin/users?email=%25', {
        token: suite.adminToken,
      });
      expect(wildcard.body.items).toEqual([]);
    });

    it('answers 404, 400, 401 and 403 as it should', async () => {
      const pam = await createUser(suite.stack, 'Pam');
      expect((await apiJson(suite.stack, '/admin/users/999999', { token: suite.adminToken })).status).toBe(404);
      for (const bad of ['abc', '0', '-1', '1.5'])
        expect((await apiJson(suite.stack, `/admin/users/${bad}`, { token: suite.adminToken })).status, bad).toBe(400);
      expect((await apiJson(suite.stack, '/admin/users', { token: suite.adminToken })).status).toBe(400);
      expect((await apiJson(suite.stack, '/admin/users?email=', { token: suite.adminToken })).status).toBe(400);
      for (const [method, path] of [
        ['GET', `/admin/users/${pam.id}`],
        ['GET', '/admin/users?email=a'],
        ['POST', `/admin/users/${pam.id}/block`],
        ['DELETE', `/admin/users/${pam.id}/block`],
        ['DELETE', `/admin/users/${pam.id}/connections`],
      ] as const) {
        expect((await apiJson(suite.stack, path, { method, token: pam.token })).status, `${method} ${path}`).toBe(403);
        expect((await apiJson(suite.stack, path, { method })).status, `${method} ${path} without a token`).toBe(401);
      }
      for (const method of ['POST', 'DELETE'])
        expect(
          (await apiJson(suite.stack, '/admin/users/999999/block', { method, token: suite.adminToken })).status,
        ).toBe(404);
      expect(
        (await apiJson(suite.stack, '/admin/users/999999/connections', { method: 'DELETE', token: suite.adminToken }))
          .status,
      ).toBe(404);
    });

    it('block: login 403, every token 401, every connection closed; unblock: sign in again, old tokens stay dead', async () => {
      const user = await createUser(suite.stack, 'Bo');
      const a = await open(user);
      const b = await open(user);
      expect(
        (await apiJson(suite.stack, `/admin/users/${user.id}/block`, { method: 'POST', token: suite.adminToken }))
          .status,
      ).toBe(204);
      await Promise.all([closedSoon(a.socket), closedSoon(b.socket)]);
      expect(await adminView(user.id)).toMatchObject({ blocked: true, online: false, connections: 0 });
      expect((await apiJson(suite.stack, '/auth/me', { token: user.token })).status).toBe(401);
      const refused = await apiJson<Record<string, unknown>>(suite.stack, '/auth/login', {
        body: { email: user.email, password: PASSWORD },
      });
      expect(refused).toEqual({
        status: 403,
        body: { statusCode: 403, error: 'Forbidden', message: 'This account is blocked' },
      });
      // A wrong password still says 401: the block is not revealed to someone without the password.
      expect(
        (await apiJson(suite.stack, '/auth/login', { body: { email: user.email, password: 'wrong password!' } }))
          .status,
      ).toBe(401);

      expect(
        (await apiJson(suite.stack, `/admin/users/${user.id}/block`, { method: 'DELETE', token: suite.adminToken }))
          .status,
      ).toBe(204);
      expect((await adminView(user.id)).blocked).toBe(false);
      expect((await apiJson(suite.stack, '/auth/me', { token: user.token })).status).toBe(401);
      const fresh = await login(suite.stack, user.email, PASSWORD);
      expect((await apiJson(suite.stack, '/auth/me', { token: fresh })).status).toBe(200);
    });

    it('DELETE /admin/users/:id/connections closes every connection and answers {closed}; tokens stay valid', async () => {
      const user = await createUser(suite.stack, 'Cy');
      const a = await open(user);
      const b = await open(user);
      const answer = await apiJson(suite.stack, `/admin/users/${user.id}/connections`, {
        method: 'DELETE',
        token: suite.adminToken,
      });
      expect(answer).toEqual({ status: 200, body: { closed: 2 } });
      await Promise.all([closedSoon(a.socket), closedSoon(b.socket)]);
      expect((await adminView(user.id)).connections).toBe(0);
      // They may reconnect.
      await open(user);
      expect(
        (
          await apiJson(suite.stack, `/admin/users/${user.id}/connections`, {
            method: 'DELETE',
            token: suite.adminToken,
          })
        ).body,
      ).toEqual({ closed: 1 });
    });

    it('race: block during a bid — no bid of the user is accepted after the 204', async () => {
      const user = await createUser(suite.stack, 'Bid');
      const auction = await createAuction(suite.stack, suite.adminToken, { startingPriceCents: 100 });
      let amount = 100;
      let blockedAt = Infinity;
      const outcomes: Array<{ status: number; answeredAt: number; sentAt: number }> = [];
      const bidder = (async () => {
        for (;;) {
          const sentAt = performance.now();
          const answer = await placeBid(suite.stack, user, auction.id, (amount += 10));
          outcomes.push({ status: answer.status, answeredAt: performance.now(), sentAt });
          if (answer.status === 401) return;
        }
      })();
      await waitFor(() => expect(outcomes.length).toBeGreaterThan(3), { timeout: 10_000 });
      const block = await apiJson(suite.stack, `/admin/users/${user.id}/block`, {
        method: 'POST',
        token: suite.adminToken,
      });
      blockedAt = performance.now();
      expect(block.status).toBe(204);
      await bidder;
      expect(outcomes.every((o) => o.status === 201 || o.status === 401)).toBe(true);
      // A bid sent after the block answered is refused.
      expect(outcomes.filter((o) => o.sentAt > blockedAt).every((o) => o.status === 401)).toBe(true);
      expect((await placeBid(suite.stack, user, auction.id, (amount += 10))).status).toBe(401);
      // The auction's price is the highest accepted bid: nothing half-done.
      const detail = await apiJson<{ bidCount: number; currentPriceCents: number }>(
        suite.stack,
        `/auctions/${auction.id}`,
      );
      expect(detail.body.bidCount).toBe(outcomes.filter((o) => o.status === 201).length);
    });

    it("race: a blocked user's `auth` in flight never leaves a registered connection behind", async () => {
      const user = await createUser(suite.stack, 'Fly');
      const raw = await Promise.all(Array.from({ length: 8 }, () => TestSocket.open(suite.stack.wsUrl)));
      suite.track(...raw);
      const answers = raw.map(async (socket) => {
        socket.send({ action: 'auth', token: user.token });
        return Promise.race([
          socket.nextJson<AuthOkEvent | AuthErrorEvent>(10_000).catch(() => ({ type: 'closed' })),
          socket.closed.then(() => ({ type: 'closed' })),
        ]);
      });
      const block = await apiJson(suite.stack, `/admin/users/${user.id}/block`, {
        method: 'POST',
        token: suite.adminToken,
      });
      expect(block.status).toBe(204);
      const results = await Promise.all(answers);
      // Each auth either was refused (401) or was registered before the block and then closed by it.
      for (const [i, result] of results.entries()) {
        if (result.type === 'auth.error') expect((result as AuthErrorEvent).data.status).toBe(401);
        else await closedSoon(raw[i]!);
      }
      await waitFor(async () => expect((await adminView(user.id)).connections).toBe(0), { timeout: 5_000 });
      // And nothing reaches those that are still open.
      expect((await sendNotification(suite.stack, { userId: user.id, kind: 'x', title: 'y' })).body.deliveredTo).toBe(
        0,
      );
    });
  });

  describe('GET /presence', () => {
    it('answers online, connections and lastSeenAt per id asked, in order; unknown ids are offline', async () => {
      const on = await createUser(suite.stack, 'On');
      const off = await createUser(suite.stack, 'Off');
      const { socket } = await open(on);
      await open(on);
      const before = await apiJson<{ items: any[] }>(
        suite.stack,
        `/presence?userId=${on.id}&userId=${off.id}&userId=999999`,
        {
          headers: { 'x-api-key': STACK_SECRETS.SERVICE_API_KEY },
        },
      );
      expect(before).toEqual({
        status: 200,
        body: {
          items: [
            { userId: String(on.id), online: true, connections: 2, lastSeenAt: expect.any(String) },
            { userId: String(off.id), online: false, connections: 0, lastSeenAt: null },
            { userId: '999999', online: false, connections: 0, lastSeenAt: null },
          ],
        },
      });
      // An admin JWT works too; a single id is fine.
      const single = await apiJson<{ items: any[] }>(suite.stack, `/presence?userId=${on.id}`, {
        token: suite.adminToken,
      });
      expect(single.body.items).toHaveLength(1);
      // lastSeenAt moves on disconnect.
      const seen = Date.parse(before.body.items[0].lastSeenAt);
      await socket.close();
      await waitFor(
        async () => {
          const item = (
            await apiJson<{ items: any[] }>(suite.stack, `/presence?userId=${on.id}`, { token: suite.adminToken })
          ).body.items[0];
          expect(item.connections).toBe(1);
          expect(Date.parse(item.lastSeenAt)).toBeGreaterThanOrEqual(seen);
        },
        { timeout: 5_000 },
      );
    });

    it('guards: a wrong key 403, no credentials 403, a non-admin 403; bad input 400', async () => {
      const user = await createUser(suite.stack, 'Gus');
      expect(
        (await apiJson(suite.stack, `/presence?userId=${user.id}`, { headers: { 'x-api-key': 'wrong' } })).status,
      ).toBe(403);
      expect((await apiJson(suite.stack, `/presence?userId=${user.id}`)).status).toBe(403);
      expect((await apiJson(suite.stack, `/presence?userId=${user.id}`, { token: user.token })).status).toBe(403);
      const key = { 'x-api-key': STACK_SECRETS.SERVICE_API_KEY };
      const tooMany = Array.from({ length: 101 }, (_, i) => `userId=${i + 1}`).join('&');
      for (const query of ['', '?userId=', '?userId=abc', '?userId=0', `?${tooMany}`]) {
        const answer = await apiJson<{ message: string[] }>(suite.stack, `/presence${query}`, { headers: key });
        expect(answer.status, query.slice(0, 20)).toBe(400);
      }
      const hundred = Array.from({ length: 100 }, (_, i) => `userId=${i + 1}`).join('&');
      expect((await apiJson(suite.stack, `/presence?${hundred}`, { headers: key })).status).toBe(200);
    });
  });
});
