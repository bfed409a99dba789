/**
 * Load: many authenticated connections through the real gateway while users bid, then every accepted
 * bid must be in the database and must have reached every connection exactly once, with no 5xx.
 *
 * Profiles (RELIABILITY_LOAD_PROFILE):
 *   issue — the issue's figures: 2,000 connections of 200 users, 50 bidders for 20 s;
 *   ci    — (default) 400 connections of 40 users, 20 bidders for 10 s, so `npm test` stays bounded.
 * RELIABILITY_SCALE multiplies connections, users and bidders of the chosen profile.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { databaseKinds, freshDatabase, type TestDatabase } from '../support/databases.js';
import { reliabilityScale } from '../support/fuzz.js';
import { checkNothingLost, readBidsFromDatabase, runBidders } from './support/bidding.js';
import { type ChildStack, startChildStack } from './support/child-stack.js';
import { http, login } from './support/http.js';
import { LiveClient } from './support/live-client.js';
import { leakedSecrets } from './support/log-capture.js';
import { createUsers, inBatches, type TestUser } from './support/users.js';

interface LoadProfile {
  users: number;
  connectionsPerUser: number;
  bidders: number;
  durationMs: number;
  /** Pause of each bidder between bids: keeps the fan-out (bids × connections) within what 2 cores deliver. */
  bidPauseMs: number;
}

const PROFILES: Record<string, LoadProfile> = {
  issue: { users: 200, connectionsPerUser: 10, bidders: 50, durationMs: 20_000, bidPauseMs: 10_000 },
  ci: { users: 40, connectionsPerUser: 10, bidders: 20, durationMs: 10_000, bidPauseMs: 2_500 },
};
const profileName = process.env.RELIABILITY_LOAD_PROFILE ?? 'ci';
const base = PROFILES[profileName];
if (!base) throw new Error(`RELIABILITY_LOAD_PROFILE must be one of ${Object.keys(PROFILES).join(', ')}`);
const scale = reliabilityScale();
const PROFILE: LoadProfile = {
  ...base,
  users: Math.max(2, Math.round(base.users * scale)),
  bidders: Math.max(1, Math.round(base.bidders * scale)),
};
const CONNECTIONS = PROFILE.users * PROFILE.connectionsPerUser;
/** Under the gateway's (AWS's) 500 new connections per second. */
const CONNECTS_PER_SECOND = 400;

describe.each(databaseKinds())(
  `load: ${CONNECTIONS} connections of ${PROFILE.users} users, ${PROFILE.bidders} bidders for ${PROFILE.durationMs / 1000} s (%s)`,
  (kind) => {
    let database: TestDatabase;
    let stack: ChildStack;
    let users: TestUser[];
    let clients: LiveClient[];
    let auctionId: number;

    beforeAll(async () => {
      database = await freshDatabase(kind);
      stack = await startChildStack({
        databaseUrl: database.url,
        apiLogLevel: 'warn',
        gatewayEnv: { GATEWAY_LOG: 'off' },
      });
      users = await createUsers(stack.apiUrl, PROFILE.users, `load-${kind}-`);
      const adminToken = await login(stack.apiUrl, 'admin@gavel.test', 'gavel-demo');
      const auction = await http(stack.apiUrl, '/auctions', {
        token: adminToken,
        body: { title: 'Load lot', startingPriceCents: 1_000, endsAt: new Date(Date.now() + 3_600_000).toISOString() },
      });
      expect(auction.status, auction.text).toBe(201);
      auctionId = auction.body.id;

      clients = users.flatMap((user) =>
        Array.from(
          { length: PROFILE.connectionsPerUser },
          () => new LiveClient(stack.wsUrl, user.token, { watch: [auctionId] }),
        ),
      );
      const started = Date.now();
      await inBatches(clients, 50, async (client, index) => {
        // Pace the handshakes under the new-connection quota.
        const due = started + (index * 1000) / CONNECTS_PER_SECOND;
        if (due > Date.now()) await sleep(due - Date.now());
        await client.connect();
      });
    }, 300_000);

    afterAll(async () => {
      for (const client of clients ?? []) client.close();
      await stack?.stop();
      await database?.drop();
    }, 120_000);

    it('stores every accepted bid and delivers it exactly once to every connection, with no 5xx', async () => {
      expect(clients.every((client) => client.isOpen)).toBe(true);
      const bidStarted = Date.now();
      const log = await runBidders({
        apiUrl: stack.apiUrl,
        bidders: users.slice(0, PROFILE.bidders),
        auctionIds: [auctionId],
        durationMs: PROFILE.durationMs,
        pauseMs: PROFILE.bidPauseMs,
      });
      const biddingMs = Date.now() - bidStarted;

      expect(log.serverErrors, JSON.stringify(log.serverErrors.slice(0, 5))).toEqual([]);
      expect(
        Object.keys(log.statuses).filter((s) => s !== '201' && s !== '409'),
        JSON.stringify(log.statuses),
      ).toEqual([]);
      expect(log.accepted.length).toBeGreaterThan(0);

      // In the database: every 201, strictly rising, the price is the last bid.
      expect(checkNothingLost(log.accepted, await readBidsFromDatabase(database.url))).toEqual([]);

      // On every connection: every accepted bid, once.
      const accepted = new Set(log.accepted.map((bid) => bid.id));
      const drainStarted = Date.now();
      await inBatches(clients, 100, (client) =>
        client.until(
          () => [...accepted].every((id) => client.bids.has(id)),
          180_000,
          `all ${accepted.size} bids on ${client.currentConnectionId}`,
        ),
      );
      const drainMs = Date.now() - drainStarted;
      const duplicates = clients.flatMap((client) => client.duplicates());
      const strangers = clients.flatMap((client) => [...client.bids.keys()].filter((id) => !accepted.has(id)));
      expect(duplicates.slice(0, 10), `${duplicates.length} duplicate deliveries`).toEqual([]);
      expect(strangers.slice(0, 10), 'bids pushed that no bidder saw accepted').toEqual([]);
      expect(clients.every((client) => client.isOpen && client.closes.length === 0)).toBe(true);

      const delivered = clients.reduce((sum, client) => sum + client.bids.size, 0);
      console.info(
        `[load ${kind}] profile ${profileName}×${scale}: ${CONNECTIONS} connections of ${PROFILE.users} users, ${PROFILE.bidders} bidders for ${biddingMs} ms; ` +
          `answers ${JSON.stringify(log.statuses)}; ${accepted.size} accepted, all stored; ${delivered} deliveries (= ${accepted.size} × ${CONNECTIONS}), 0 duplicates, ` +
          `last delivery ${drainMs} ms after bidding ended`,
      );
      expect(delivered).toBe(accepted.size * CONNECTIONS);
      expect([...stack.api.unexpectedExits, ...stack.gateway.unexpectedExits]).toEqual([]);
    }, 300_000);

    it("leaks no secret into the processes' output", () => {
      const secrets: Record<string, string> = { ...stack.secrets, password: 'reliability-pass-1' };
      users.slice(0, 20).forEach((user, i) => (secrets[`token ${i}`] = user.token));
      expect(leakedSecrets(stack.output(), secrets)).toEqual([]);
    });
  },
);
