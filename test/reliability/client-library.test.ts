/**
 * @gavel/client in Node against the real stack (API and gateway as child processes, real database, `ws`):
 * a listening user keeps one client open while another user bids and a service sends notifications, and the
 * stack is hurt — gateway restarted, API restarted, gateway killed with SIGKILL, and the gateway's 2-hour
 * limit shortened to seconds. Every accepted bid must reach the client once and in order (or be covered by a
 * snapshot taken after the previous one), every accepted notification exactly once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { WebSocket } from 'ws';
import { type ConnectionStatus, type GavelClient, connect } from '@gavel/client';
import { expect } from '../support/expect.js';
import { databaseKinds, freshDatabase, type TestDatabase } from '../support/databases.js';
import { waitFor } from '../support/wait-for.js';
import { type ChildStack, startChildStack } from './support/child-stack.js';
import { http, login } from './support/http.js';
import { createUsers, type TestUser } from './support/users.js';

/** The gateway closes every connection after this long (AWS: 2 h); the clients are told the same. */
const MAX_CONNECTION_MS = 8_000;

/** What one client saw, checked as it arrives: seq must follow the last one handed on, or a snapshot cover it. */
class Observer {
  seq = -1;
  readonly violations: string[] = [];
  readonly bidIds: string[] = [];
  readonly notifications = new Map<string, number>();
  readonly statuses: ConnectionStatus[] = [];
  snapshots = 0;

  constructor(
    readonly client: GavelClient,
    auctionId: number,
  ) {
    client.on('status', (status) => this.statuses.push(status));
    client.on('snapshot', (snapshot) => {
      if (String(snapshot.auctionId) !== String(auctionId)) return;
      if (snapshot.seq < this.seq) this.violations.push(`snapshot ${snapshot.seq} after seq ${this.seq}`);
      this.seq = snapshot.seq;
      this.snapshots++;
    });
    client.on('bid', (bid) => {
      if (bid.data.seq !== this.seq + 1) this.violations.push(`bid seq ${bid.data.seq} after seq ${this.seq}`);
      this.seq = bid.data.seq;
      this.bidIds.push(String(bid.data.bidId));
    });
    client.on('notification', (n) =>
      this.notifications.set(String(n.id), (this.notifications.get(String(n.id)) ?? 0) + 1),
    );
  }
}

describe.each(databaseKinds())('@gavel/client against the real stack (%s)', (kind) => {
  let database: TestDatabase;
  let stack: ChildStack;
  let listener: TestUser;
  let bidder: TestUser;
  let adminToken: string;

  beforeAll(async () => {
    database = await freshDatabase(kind);
    stack = await startChildStack({
      databaseUrl: database.url,
      gatewayEnv: { GATEWAY_MAX_CONNECTION_MS: String(MAX_CONNECTION_MS) },
      apiLogLevel: 'warn',
    });
    [listener, bidder] = (await createUsers(stack.apiUrl, 2, `client-${kind}-`)) as [TestUser, TestUser];
    adminToken = await login(stack.apiUrl, 'admin@gavel.test', 'gavel-demo');
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await database?.drop();
  }, 120_000);

  /**
   * Opens a client for `listener` on a fresh auction, runs bids and notifications while `fault` happens, and
   * checks that the client ends with every accepted bid and notification, none twice.
   */
  async function underFault(
    name: string,
    fault: (client: GavelClient) => Promise<void>,
  ): Promise<{ observer: Observer; client: GavelClient }> {
    const created = await http(stack.apiUrl, '/auctions', {
      token: adminToken,
      body: {
        title: `${name} ${kind}`,
        startingPriceCents: 1000,
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect(created.status, created.text).toBe(201);
    const auctionId = created.body.id as number;
    const client = connect({
      url: stack.wsUrl,
      getToken: () => listener.token,
      WebSocket,
      minReconnectDelayMs: 100,
      maxReconnectDelayMs: 1_000,
      maxConnectionMs: MAX_CONNECTION_MS,
      autoStart: false,
    });
    const observer = new Observer(client, auctionId);
    client.subscribe(auctionId);
    client.start();
    try {
      await waitFor(() => expect(observer.snapshots).toBe(1), { timeout: 15_000 });

      const acceptedBids: string[] = [];
      const acceptedNotifications: string[] = [];
      let price = 1000;
      let running = true;
      const traffic = (async () => {
        for (let n = 0; running; n++) {
          try {
            const bid = await http(stack.apiUrl, `/auctions/${auctionId}/bids`, {
              token: bidder.token,
              body: { amountCents: price + 100 },
              timeoutMs: 20_000,
            });
            if (bid.status === 201) {
              acceptedBids.push(String(bid.body.id));
              price += 100;
            }
            const sent = await http(stack.apiUrl, '/notifications', {
              headers: { 'x-api-key': stack.secrets.SERVICE_API_KEY },
              body: { userId: listener.id, kind: 'client-test', title: `${name} ${n}` },
              timeoutMs: 20_000,
            });
            if (sent.status === 202) acceptedNotifications.push(String(sent.body.id));
          } catch {
            // the API is down for a moment: nothing was accepted
          }
          await sleep(20);
        }
      })();
      await waitFor(() => expect(acceptedBids.length).toBeGreaterThanOrEqual(3), { timeout: 10_000 });
      const beforeFault = acceptedBids.length;
      await fault(client);
      // Traffic goes on until the client is back and more has been accepted since the fault.
      await waitFor(
        () => {
          expect(client.status).toBe('connected');
          expect(acceptedBids.length).toBeGreaterThan(beforeFault + 5);
        },
        { timeout: 30_000 },
      );
      running = false;
      await traffic;

      const detail = await http(stack.apiUrl, `/auctions/${auctionId}`);
      expect(detail.body.bidCount).toBe(acceptedBids.length);
      await waitFor(
        () => {
          expect(observer.seq).toBe(acceptedBids.length);
          expect([...observer.notifications.keys()].sort()).toEqual([...acceptedNotifications].sort());
        },
        { timeout: 20_000 },
      );
      expect(observer.violations).toEqual([]);
      // Each bid handed on once, and only accepted ones (the rest are covered by snapshots).
      expect(new Set(observer.bidIds).size).toBe(observer.bidIds.length);
      expect(observer.bidIds.filter((id) => !acceptedBids.includes(id))).toEqual([]);
      expect([...observer.notifications.values()].every((count) => count === 1)).toBe(true);
      expect(client.stats().ignored).toBe(0);
      return { observer, client };
    } finally {
      client.stop();
    }
  }

  it('gateway restarted: the client reconnects, replays and resubscribes', async () => {
    const { client, observer } = await underFault('gateway restart', () => stack.gateway.restart('SIGTERM'));
    expect(client.stats().reconnects).toBeGreaterThan(0);
    expect(observer.snapshots).toBeGreaterThan(1); // subscribed again on the new connection
  }, 120_000);

  it('API restarted: the socket stays, pushes resume, nothing is lost or repeated', async () => {
    await underFault('api restart', () => stack.api.restart('SIGTERM'));
  }, 120_000);

  it('gateway killed with SIGKILL: the client notices, reconnects and catches up', async () => {
    const { client, observer } = await underFault('gateway kill', () => stack.gateway.restart('SIGKILL'));
    expect(client.stats().reconnects).toBeGreaterThan(0);
    expect(observer.snapshots).toBeGreaterThan(1);
  }, 120_000);

  it('the maximum connection duration (shortened to 8 s): planned moves to a new socket, never a visible reconnect', async () => {
    const { observer, client } = await underFault('planned', async (client) => {
      const before = client.stats().plannedReconnects;
      await waitFor(() => expect(client.stats().plannedReconnects).toBeGreaterThanOrEqual(before + 2), {
        timeout: 20_000,
      });
    });
    // Only planned moves: the gateway's own close (1001 at 8 s) never reached a socket still in use.
    expect(observer.statuses).toEqual(['connecting', 'connected', 'stopped']);
    expect(client.stats().reconnects).toBe(client.stats().plannedReconnects);
  }, 120_000);
});

describe.each(databaseKinds())('@gavel/client token refresh against the real stack (%s)', (kind) => {
  let database: TestDatabase;
  let stack: ChildStack;

  beforeAll(async () => {
    database = await freshDatabase(kind);
    // Tokens live 20 s: the client asks for a fresh one halfway (10 s), well before exp.
    stack = await startChildStack({
      databaseUrl: database.url,
      apiEnv: { JWT_EXPIRES_IN: '20s' },
      apiLogLevel: 'warn',
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await database?.drop();
  }, 120_000);

  it('sends auth with a fresh token on the same connection before exp; pushes keep coming on it', async () => {
    const [user] = (await createUsers(stack.apiUrl, 1, `refresh-${kind}-`)) as [TestUser];
    const issued: string[] = [user.token];
    let fresh = false;
    const client = connect({
      url: stack.wsUrl,
      WebSocket,
      // A fresh login when the client asks after the first token (what an app's refresh call does).
      getToken: async () => {
        if (fresh) issued.push(await login(stack.apiUrl, user.email, 'reliability-pass-1'));
        fresh = true;
        return issued.at(-1)!;
      },
      minReconnectDelayMs: 100,
      maxReconnectDelayMs: 1_000,
    });
    const renewals: boolean[] = [];
    const titles: string[] = [];
    client.on('auth.ok', ({ renewed }) => renewals.push(renewed));
    client.on('notification', (n) => titles.push(n.data.title));
    try {
      await waitFor(() => expect(client.status).toBe('connected'), { timeout: 15_000 });
      const firstConnection = client.connectionId;
      await waitFor(() => expect(renewals).toEqual([false, true]), { timeout: 20_000 });
      expect(client.connectionId).toBe(firstConnection);
      expect(client.stats()).toMatchObject({ tokenRefreshes: 1, reconnects: 0 });
      const sent = await http(stack.apiUrl, '/notifications', {
        headers: { 'x-api-key': stack.secrets.SERVICE_API_KEY },
        body: { userId: user.id, kind: 'client-test', title: 'after the refresh' },
      });
      expect(sent.status).toBe(202);
      expect(sent.body.deliveredTo).toBe(1);
      await waitFor(() => expect(titles).toEqual(['after the refresh']), { timeout: 10_000 });
    } finally {
      client.stop();
    }
  }, 120_000);
});
