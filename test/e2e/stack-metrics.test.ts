/**
 * GET /metrics on the real stack (API and local gateway as processes, real ws clients, the real SDK):
 * bids and notifications move the push counters by outcome, a connection the gateway no longer has
 * counts as `gone`, and the connection and subscription gauges follow the database.
 */
import { describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { databaseKinds } from '../support/databases.js';
import { type Sample, scrape, valueOf } from '../support/prometheus.js';
import { waitFor } from '../support/wait-for.js';
import {
  createAuction,
  createUser,
  type Frame,
  insertPhantomConnections,
  placeBid,
  subscribe,
  subscribePhantoms,
  useStack,
} from './push-support.js';

const pushes = (samples: Sample[], outcome: string) => valueOf(samples, 'gavel_pushes_total', { outcome }) ?? NaN;

describe.each(databaseKinds())('metrics on the stack (%s)', (kind) => {
  const suite = useStack(kind, { dataSource: true, adminToken: true });

  it("includes the API process's own metrics (CPU, memory, event loop, GC)", async () => {
    const samples = await scrape(suite.stack.apiUrl);
    expect(valueOf(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(valueOf(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(valueOf(samples, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(valueOf(samples, 'process_start_time_seconds')).toBeGreaterThan(Date.now() / 1000 - 600);
  });

  it('counts a bid fan-out as delivered pushes, a phantom subscriber as gone, and follows connections and subscriptions', async () => {
    const [ann, ben] = await Promise.all([createUser(suite.stack, 'Ann'), createUser(suite.stack, 'Ben')]);
    const auction = await createAuction(suite.stack, suite.adminToken);
    const watchers = [(await suite.open(ann)).socket, (await suite.open(ben)).socket];
    for (const socket of watchers) await subscribe(socket, auction.id);
    const [phantom] = await insertPhantomConnections(suite.db, ben.id, 1);
    await subscribePhantoms(suite.db, [phantom!], auction.id);

    const before = await scrape(suite.stack.apiUrl);
    const bid = await placeBid(suite.stack, ann, auction.id, 1500);
    expect(bid.status, suite.stack.output()).toBe(201);
    for (const socket of watchers) expect((await socket.nextJson<Frame>()).type).toBe('bid');

    await waitFor(
      async () => {
        const after = await scrape(suite.stack.apiUrl);
        // Two live watchers got the bid; the phantom answered 410. (Ann is the first leader: no outbid yet.)
        expect(pushes(after, 'delivered') - pushes(before, 'delivered')).toBe(2);
        expect(pushes(after, 'gone') - pushes(before, 'gone')).toBe(1);
        expect(valueOf(after, 'gavel_stale_connections_removed_total')).toBeGreaterThanOrEqual(1);
        expect(pushes(after, 'failed')).toBe(0);
        expect(
          valueOf(after, 'gavel_management_api_request_duration_seconds_count', { operation: 'post', result: 'gone' }),
        ).toBeGreaterThanOrEqual(1);
        expect(
          valueOf(after, 'gavel_http_request_duration_seconds_count', {
            method: 'POST',
            route: '/auctions/:id/bids',
            status: '201',
          }),
        ).toBe(1);
        // The phantom's row is gone; the two live connections and their subscriptions remain.
        expect(valueOf(after, 'gavel_socket_connections')).toBe(2);
        expect(valueOf(after, 'gavel_users_online')).toBe(2);
        expect(valueOf(after, 'gavel_subscriptions')).toBe(2);
      },
      { timeout: 10_000 },
    );

    // An outbid: one more bid to both watchers and one notification to Ann's connection.
    const outbid = await placeBid(suite.stack, ben, auction.id, 2000);
    expect(outbid.status).toBe(201);
    await waitFor(
      async () => {
        const after = await scrape(suite.stack.apiUrl);
        expect(pushes(after, 'delivered') - pushes(before, 'delivered')).toBe(5);
      },
      { timeout: 10_000 },
    );

    await watchers[1]!.close();
    await waitFor(
      async () => {
        const after = await scrape(suite.stack.apiUrl);
        expect(valueOf(after, 'gavel_socket_connections')).toBe(1);
        expect(valueOf(after, 'gavel_subscriptions')).toBe(1);
      },
      { timeout: 15_000 },
    );
  }, 60_000);
});
