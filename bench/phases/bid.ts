/** Gavel's side of the fan-out: an auction, a bidder, and `POST /auctions/:id/bids`. */
import { randomBytes } from 'node:crypto';
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
    body: { title: 'Benchmark auction', startingPriceCents: 1_000, endsAt: new Date(Date.now() + 6 * 3_600_000).toISOString() },
  });
  const suffix = randomBytes(3).toString('hex');
  const bidder = await registerAndLogin(apiUrl, `bench-bidder-${suffix}@bench.test`, `bench-${randomBytes(8).toString('hex')}`, 'Bench bidder');
  const path = `/auctions/${encodeURIComponent(String(auction.id))}/bids`;
  return {
    system: 'gavel',
    send: async (amountCents) => {
      await requestJson(apiUrl, 'POST', path, { token: bidder.token, body: { amountCents }, expect: [201] });
    },
  };
}
