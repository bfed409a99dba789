/**
 * Faults of the whole stack (API and gateway as real child processes, real database):
 * the API restarted under live traffic, the API hung or down while a Lambda calls it, and the
 * gateway crashing under connected clients. Sockets, notifications and connection rows are counted
 * before and after: nothing accepted may be lost, and no secret may reach the processes' output.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { databaseKinds, freshDatabase, type TestDatabase } from '../support/databases.js';
import { TestSocket } from '../support/ws-client.js';
import { type ChildStack, startChildStack } from './support/child-stack.js';
import { http } from './support/http.js';
import { LiveClient } from './support/live-client.js';
import { leakedSecrets } from './support/log-capture.js';
import { createUsers, type TestUser } from './support/users.js';

const USERS = 4;
const CONNECTIONS_PER_USER = 3;

describe.each(databaseKinds())('whole-stack faults (%s)', (kind) => {
  let database: TestDatabase;
  let stack: ChildStack;
  let users: TestUser[];
  /** A user with no long-lived clients, for the Lambda-vs-API tests (their abandoned registrations must not blur the per-user row checks). */
  let probe: TestUser;
  /** clients[u] = the connections of users[u]. */
  let clients: LiveClient[][];

  const notify = (user: TestUser, title: string) =>
    http(stack.apiUrl, '/notifications', {
      headers: { 'x-api-key': stack.secrets.SERVICE_API_KEY },
      body: { userId: user.id, kind: 'reliability', title },
      timeoutMs: 20_000,
    });

  beforeAll(async () => {
    database = await freshDatabase(kind);
    stack = await startChildStack({ databaseUrl: database.url });
    const created = await createUsers(stack.apiUrl, USERS + 1, `fault-${kind}-`);
    users = created.slice(0, USERS);
    probe = created[USERS]!;
    clients = users.map((user) =>
      Array.from(
        { length: CONNECTIONS_PER_USER },
        () => new LiveClient(stack.wsUrl, user.token, { reconnect: true, minDelayMs: 100, maxDelayMs: 1_000 }),
      ),
    );
    await Promise.all(clients.flat().map((client) => client.connect()));
  }, 120_000);

  afterAll(async () => {
    for (const client of clients?.flat() ?? []) client.close();
    await stack?.stop();
    await database?.drop();
  }, 120_000);

  it('API restarted under live traffic: sockets stay up, pushes resume, every accepted notification is delivered and stored', async () => {
    const accepted: Array<{ userIndex: number; id: string }> = [];
    const statuses: Record<string, number> = {};
    let running = true;
    const traffic = (async () => {
      for (let n = 0; running; n++) {
        const userIndex = n % USERS;
        try {
          const answer = await notify(users[userIndex]!, `live ${n}`);
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
          if (answer.status === 202) accepted.push({ userIndex, id: String(answer.body.id) });
        } catch {
          statuses.unreachable = (statuses.unreachable ?? 0) + 1;
        }
        await sleep(25);
      }
    })();
    await sleep(1_000);
    const beforeRestart = accepted.length;
    await stack.api.restart('SIGTERM');
    const afterRestart = accepted.length;
    await sleep(1_500);
    running = false;
    await traffic;

    // No socket noticed: they live in the gateway.
    for (const client of clients.flat()) {
      expect(client.closes).toEqual([]);
      expect(client.isOpen).toBe(true);
    }
    expect(
      Object.keys(statuses).filter((s) => s !== '202' && s !== 'unreachable'),
      JSON.stringify(statuses),
    ).toEqual([]);
    expect(beforeRestart).toBeGreaterThan(0);
    expect(accepted.length, 'pushes resumed after the restart').toBeGreaterThan(afterRestart);
    // Every 202 reached every connection of its user exactly once, and is stored.
    for (const { userIndex, id } of accepted) {
      for (const client of clients[userIndex]!)
        await client.until(() => client.notifications.has(id), 20_000, `notification ${id} on user ${userIndex}`);
    }
    const duplicates = clients
      .flat()
      .flatMap((client) => client.duplicates().map((d) => `${d} on ${client.currentConnectionId}`));
    if (duplicates.length > 0) {
      const admin = await http(stack.apiUrl, '/auth/login', {
        body: { email: 'admin@gavel.test', password: 'gavel-demo' },
      });
      const stats = await http(stack.apiUrl, '/admin/stats', { token: admin.body.accessToken });
      const first = clients.flat().find((c) => c.duplicates().length > 0)!;
      const id = first.duplicates()[0]!.split(' ')[1]!;
      const frames = first.recentFrames.filter(
        (f) => f.includes(`"id":${id},`) || f.includes(`"id":"${id}"`) || f.includes('auth.ok'),
      );
      expect(duplicates, `push stats: ${stats.text}\nframes: ${frames.join('\n')}`).toEqual([]);
    }
    for (const [userIndex, user] of users.entries()) {
      const stored = await http(stack.apiUrl, '/me/notifications?limit=100', { token: user.token });
      const storedIds = new Set((stored.body.items as Array<{ id: unknown }>).map((n) => String(n.id)));
      for (const { id } of accepted.filter((a) => a.userIndex === userIndex)) expect(storedIds.has(id)).toBe(true);
    }
    expect(stack.api.unexpectedExits).toEqual([]);
  }, 120_000);

  it('a Lambda calling a hung API (SIGSTOP) answers a clear auth.error 503 instead of hanging; the socket stays usable', async () => {
    const socket = await TestSocket.open(stack.wsUrl);
    try {
      stack.api.freeze();
      socket.send({ action: 'auth', token: probe.token });
      // The Lambda's own timeout (5 s) is well under API Gateway's 29 s: a clear answer, not "Internal server error".
      const answer = await socket.nextJson<{ type: string; data: { status: number; message: string } }>(20_000);
      expect(answer).toEqual({ type: 'auth.error', data: { status: 503, message: expect.any(String) } });
      socket.send({ action: 'ping' });
      expect(await socket.nextJson(5_000)).toEqual({ type: 'pong' });
    } finally {
      stack.api.thaw();
    }
    socket.send({ action: 'auth', token: probe.token });
    expect((await socket.nextJson<{ type: string }>(20_000)).type).toBe('auth.ok');
    await socket.close();
  }, 60_000);

  it('a Lambda calling a stopped API answers auth.error 503 at once; after the API is back, auth works', async () => {
    const socket = await TestSocket.open(stack.wsUrl);
    await stack.api.stop('SIGKILL');
    try {
      socket.send({ action: 'auth', token: probe.token });
      expect(await socket.nextJson(10_000)).toEqual({
        type: 'auth.error',
        data: { status: 503, message: expect.any(String) },
      });
    } finally {
      await stack.api.start();
    }
    socket.send({ action: 'auth', token: probe.token });
    expect((await socket.nextJson<{ type: string }>(20_000)).type).toBe('auth.ok');
    await socket.close();
    // The long-lived clients never noticed.
    for (const client of clients.flat()) expect(client.isOpen).toBe(true);
  }, 90_000);

  it.each([
    ['SIGKILL', 'crash: no $disconnect ever runs, the rows go stale', 1006],
    ['SIGTERM', 'graceful stop: connections closed with 1001 "Going away"', 1001],
  ] as const)(
    'gateway %s (%s): clients reconnect with backoff, missed notifications are replayed, no stale row survives',
    async (signal, _what, closeCode) => {
      // Every client has seen a notification, so it resumes from a cursor.
      const warmUp = await Promise.all(users.map((user) => notify(user, 'before the crash')));
      for (const [u, answer] of warmUp.entries()) {
        expect(answer.status).toBe(202);
        for (const client of clients[u]!)
          await client.until(() => client.notifications.has(String(answer.body.id)), 20_000, 'warm-up notification');
      }
      const oldIds = clients.map((userClients) => userClients.map((c) => c.currentConnectionId!));
      const authenticatedBefore = clients.flat().map((c) => c.connectionIds.length);

      const closesBefore = clients.flat().map((c) => c.closes.length);
      expect(
        clients
          .flat()
          .map((c) => (c.isOpen ? 'open' : `closed ${c.closes.join(',')}`))
          .filter((state) => state !== 'open'),
        'every client is connected before the gateway goes',
      ).toEqual([]);
      await stack.gateway.stop(signal);
      // Wait for the close event itself (the socket may sit in CLOSING for a moment before it).
      for (const [i, client] of clients.flat().entries())
        await client.until(() => client.closes.length > closesBefore[i]!, 10_000, 'client notices the gateway going');
      clients.flat().forEach((client, i) => expect(client.closes[closesBefore[i]!]).toBe(closeCode));
      // Sent while the gateway is down: stored, delivered to nobody yet.
      const missed = await notify(users[0]!, 'while the gateway was down');
      expect(missed.status).toBe(202);
      await sleep(1_000);
      await stack.gateway.start();

      for (const [i, client] of clients.flat().entries()) {
        await client.until(
          () => client.connectionIds.length > authenticatedBefore[i]!,
          30_000,
          `client ${i} re-authenticated`,
        );
      }
      for (const client of clients.flat()) expect(client.reconnects).toBeGreaterThan(0);
      // The missed notification arrives by replay, once per connection.
      for (const client of clients[0]!) {
        await client.until(() => client.notifications.has(String(missed.body.id)), 20_000, 'replayed notification');
        expect(client.notifications.get(String(missed.body.id))).toBe(1);
      }

      // The old rows are stale (their gateway connections died with the process). The next push heals them.
      for (const [u, user] of users.entries()) {
        const answer = await notify(user, 'after the crash');
        expect(answer.status).toBe(202);
        expect(answer.body.deliveredTo).toBe(CONNECTIONS_PER_USER);
        // After a crash the old rows are found stale by this very push (410) and removed; after a graceful stop $disconnect removed them.
        expect(answer.body.staleRemoved).toBe(signal === 'SIGKILL' ? CONNECTIONS_PER_USER : 0);
        const own = await http(stack.apiUrl, '/me/connections', { token: user.token });
        const ids = (own.body as Array<{ connectionId: string }>).map((c) => c.connectionId).sort();
        const current = clients[u]!.map((c) => c.currentConnectionId!);
        const extra = (own.body as Array<{ connectionId: string; userAgent: string | null; createdAt: string }>).filter(
          (c) => !current.includes(c.connectionId),
        );
        expect(
          ids,
          `user ${u}: rows that are no live client's: ${JSON.stringify(extra)}; old ids ${oldIds[u]!.join(' ')}; all ids seen ${clients[u]!.map((c) => c.connectionIds.join('>')).join(' | ')}`,
        ).toEqual([...current].sort());
        for (const old of oldIds[u]!) expect(ids).not.toContain(old);
        for (const client of clients[u]!)
          await client.until(() => client.notifications.has(String(answer.body.id)), 20_000, 'post-crash notification');
      }
      expect(stack.api.unexpectedExits).toEqual([]);
    },
    120_000,
  );

  it("leaks no secret into the processes' output", () => {
    const output = stack.output();
    expect(output.length).toBeGreaterThan(0);
    const secrets: Record<string, string> = { ...stack.secrets, password: 'reliability-pass-1' };
    users.forEach((user, i) => (secrets[`token of user ${i}`] = user.token));
    secrets['token of the probe user'] = probe.token;
    expect(leakedSecrets(output, secrets)).toEqual([]);
    for (const client of clients.flat()) expect(client.unexpected).toEqual([]);
  });
});
