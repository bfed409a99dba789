/** Gavel's side of the fan-out: an auction, a bidder, and `POST /auctions/:id/bids`. */
import { randomBytes } from 'node:crypto';
import type { WatchResult } from '../client/protocol.js';
import type { BenchContext } from '../context.js';
import { requestJson } from '../rest.js';
import type { FanOutTarget } from './fan-out.js';
import { loginDemoAdmin, registerAndLogin } from './users.js';

interface AuctionResponse {
  id: number | string;
}

/** Creates an open auction (as the seeded admin) and a bidder who holds no connection. */
export async function gavelBidTarget(ctx: BenchContext): Promise<FanOutTarget> {
  const { apiUrl } = ctx.stack;
  const adminToken = await loginDemoAdmin(apiUrl);
  const auction = await requestJson<AuctionResponse>(apiUrl, 'POST', '/auctions', {
    token: adminToken,
    body: {
      title: 'Benchmark auction',
      startingPriceCents: 1_000,
      endsAt: new Date(Date.now() + 6 * 3_600_000).toISOString(),
    },
  });
  const suffix = randomBytes(3).toString('hex');
  const bidder = await registerAndLogin(
    apiUrl,
    `bench-bidder-${suffix}@bench.test`,
    `bench-${randomBytes(8).toString('hex')}`,
    'Bench bidder',
  );
  const path = `/auctions/${encodeURIComponent(String(auction.id))}/bids`;
  return {
    system: 'gavel',
    send: async (amountCents) => {
      await requestJson(apiUrl, 'POST', path, { token: bidder.token, body: { amountCents }, expect: [201] });
    },
    // A bid reaches the auction's subscribers only: every connection opened so far watches it.
    prepare: async (context) => {
      const results = await context.clients.all<WatchResult>((_, id) => ({
        type: 'watch',
        id,
        auctionId: auction.id,
        timeoutMs: 30_000,
      }));
      const failed = results.reduce((sum, r) => sum + r.failed, 0);
      if (failed > 0) context.progress.log(`${failed} connections could not subscribe to the benchmark auction`);
    },
  };
}
