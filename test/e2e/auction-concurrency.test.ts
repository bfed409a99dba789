/**
 * 200 concurrent bids of random amounts from 20 users on one auction, through the whole stack:
 * acceptance is atomic (strictly increasing, price = highest accepted, everything else 409, no 5xx)
 * and every connection watching the auction receives every accepted bid exactly once, in acceptance order.
 */
import { beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { databaseKinds } from '../support/databases.js';
import { apiJson, login } from '../support/stack.js';
import type { TestSocket } from '../support/ws-client.js';
import {
  collectFrames,
  createAuction,
  createUser,
  drainFrames,
  type Frame,
  placeBid,
  subscribe,
  type TestUser,
  useStack,
} from './push-support.js';

const USERS = 20;
const BIDS = 200;
const CONNECTIONS = 6;

/** A small seeded PRNG, so a failure can be replayed with the same amounts. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each(databaseKinds())('concurrent bids on one auction (%s)', (kind) => {
  const suite = useStack(kind);
  let users: TestUser[];

  beforeAll(async () => {
    users = [];
    for (let i = 0; i < USERS; i++) users.push(await createUser(suite.stack, `Bidder ${i + 1}`));
  }, 120_000);

  it(`${BIDS} bids from ${USERS} users: strictly increasing, price = highest, the rest 409, no 5xx, every connection sees every accepted bid once in order`, async () => {
    const adminToken = await login(suite.stack, 'admin@gavel.test');
    const auction = await createAuction(suite.stack, adminToken, { startingPriceCents: 1000 });
    const watchers: TestSocket[] = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const { socket } = await suite.open(users[i % USERS]!);
      await subscribe(socket, auction.id);
      watchers.push(socket);
    }

    const seed = Date.now() % 100_000;
    const random = mulberry32(seed);
    const bids = Array.from({ length: BIDS }, (_, i) => ({
      user: users[i % USERS]!,
      amount: 1001 + Math.floor(random() * 100_000),
    }));
    const answers = await Promise.all(bids.map((b) => placeBid(suite.stack, b.user, auction.id, b.amount)));

    const statuses = answers.map((a) => a.status);
    expect(
      statuses.filter((s) => s !== 201 && s !== 409),
      `seed ${seed}: ${JSON.stringify(answers.find((a) => a.status >= 500)?.body)}`,
    ).toEqual([]);
    const accepted = answers
      .filter((a) => a.status === 201)
      .map((a) => a.body as { id: number; amountCents: number })
      .sort((x, y) => x.id - y.id);
    expect(accepted.length).toBeGreaterThan(0);
    // Acceptance order (bid ids) has strictly increasing amounts.
    for (let i = 1; i < accepted.length; i++)
      expect(accepted[i]!.amountCents, `seed ${seed}`).toBeGreaterThan(accepted[i - 1]!.amountCents);
    const highest = Math.max(...bids.map((b) => b.amount));
    expect(accepted[accepted.length - 1]!.amountCents).toBe(highest);
    for (const rejected of answers.filter((a) => a.status === 409))
      expect(rejected.body.message).toMatch(/^Bid must be above the current price of \d+ cents$/);

    const detail = await apiJson<{ currentPriceCents: number; bidCount: number; bids: Array<{ id: number }> }>(
      suite.stack,
      `/auctions/${auction.id}`,
    );
    expect(detail.body.currentPriceCents).toBe(highest);
    expect(detail.body.bidCount).toBe(accepted.length);
    expect(detail.body.bids.map((b) => b.id)).toEqual(
      accepted
        .map((b) => b.id)
        .reverse()
        .slice(0, 50),
    );

    // Every connection: every accepted bid exactly once, in acceptance order (other frames, e.g. outbid notifications, are skipped).
    const expected = accepted.map((b) => b.id);
    for (const socket of watchers) {
      const frames = await collectFrames(socket, (f) => f.filter((x) => x.type === 'bid').length >= expected.length);
      const seen = frames
        .filter((f: Frame) => f.type === 'bid' && f.data.auctionId === auction.id)
        .map((f) => f.data.bidId as number);
      expect(seen).toEqual(expected);
    }
    // ... and no extra bid frame afterwards.
    for (const socket of watchers) {
      const extra = await drainFrames(socket);
      expect(extra.filter((f) => f.type === 'bid')).toEqual([]);
    }
  });
});
