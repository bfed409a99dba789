import { beforeEach, describe, expect, it } from 'vitest';
import type { AuthUser } from '../../common/auth-user.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import type { NotificationInput, NotificationService } from '../notification/notification.service.js';
import type { PushService } from '../push/push.service.js';
import type { UserRepository } from '../user/user.repository.js';
import { AuctionCloser } from './auction-closer.js';
import { AuctionLock } from './auction-lock.js';
import type { Auction } from './auction.entity.js';
import { AuctionNotFoundError, AuctionNotOpenError, BidTooLowError, EndsAtInPastError } from './auction.errors.js';
import type { AuctionRepository, BidAttempt, BidRequest } from './auction.repository.js';
import { AuctionService } from './auction.service.js';
import type { Bid } from './bid.entity.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** One auction in memory, with the repository's rules; `delays` lets a test make an acceptance slow. */
class FakeAuctions {
  auction: Auction = { id: 1, title: 'Lot', startingPriceCents: 100, currentPriceCents: 100, leaderId: null, endsAt: new Date(Date.now() + 60_000), status: 'open', bidCount: 0, version: 0, createdAt: new Date() };
  delays: number[] = [];
  private nextBidId = 1;

  async tryAcceptBid(request: BidRequest): Promise<BidAttempt> {
    for (let i = this.delays.shift() ?? 0; i > 0; i--) await tick();
    if (request.auctionId !== this.auction.id) return { outcome: 'not-found' };
    if (this.auction.status !== 'open' || this.auction.endsAt <= request.now) return { outcome: 'not-open' };
    if (request.amountCents <= this.auction.currentPriceCents) return { outcome: 'too-low', currentPriceCents: this.auction.currentPriceCents };
    const previous = { ...this.auction };
    Object.assign(this.auction, { currentPriceCents: request.amountCents, leaderId: request.bidderId, bidCount: this.auction.bidCount + 1 });
    const bid = { id: this.nextBidId++, auctionId: request.auctionId, bidderId: request.bidderId, amountCents: request.amountCents, createdAt: request.now } as Bid;
    return { outcome: 'accepted', bid, previous };
  }
  async findDueIds(now: Date) {
    return this.auction.status === 'open' && this.auction.endsAt <= now ? [this.auction.id] : [];
  }
  async close(id: number) {
    if (id !== this.auction.id || this.auction.status !== 'open') return false;
    this.auction.status = 'closed';
    return true;
  }
  async findById(id: number) {
    return id === this.auction.id ? { ...this.auction } : null;
  }
}

describe(AuctionService.name, () => {
  let auctions: FakeAuctions;
  let broadcasts: Array<{ type: string; data: Record<string, unknown>; auctionId: number; position: number }>;
  let sent: NotificationInput[];
  let service: AuctionService;
  let closer: AuctionCloser;
  const user = (id: number): AuthUser => ({ id, email: `u${id}@x.test`, roles: ['user'] });

  beforeEach(() => {
    auctions = new FakeAuctions();
    broadcasts = [];
    sent = [];
    const users = { findById: async (id: number) => ({ id, displayName: `User ${id}` }) } as unknown as UserRepository;
    const sockets = {
      sendToSubscribers: async (auctionId: number, position: number, event: { type: string; data: Record<string, unknown> }) => (
        broadcasts.push({ ...event, auctionId, position }), { deliveredTo: 0, staleRemoved: 0, failed: 0 }
      ),
    } as unknown as PushService;
    const notifications = { send: async (input: NotificationInput) => (sent.push(input), { notification: {}, delivery: Promise.resolve() }) } as unknown as NotificationService;
    const idempotency = { execute: (_call: unknown, work: () => Promise<unknown>) => work() } as unknown as IdempotencyService;
    const lock = new AuctionLock();
    service = new AuctionService(auctions as unknown as AuctionRepository, users, lock, sockets, notifications, idempotency);
    closer = new AuctionCloser(auctions as unknown as AuctionRepository, lock, sockets, notifications);
  });

  it("an accepted bid goes to the auction's subscribers with the bidder name and its seq; the previous leader (only another user) is notified", async () => {
    expect((await service.placeBid(user(1), 1, { amountCents: 200 }, undefined)).body).toMatchObject({ id: 1, bidderId: 1, amountCents: 200 });
    await service.placeBid(user(1), 1, { amountCents: 300 }, undefined);
    await service.placeBid(user(2), 1, { amountCents: 400 }, undefined);
    await tick();
    expect(broadcasts.map((e) => [e.type, e.data.amountCents, e.data.bidderName, e.data.seq, e.auctionId, e.position])).toEqual([
      ['bid', 200, 'User 1', 1, 1, 1],
      ['bid', 300, 'User 1', 2, 1, 2],
      ['bid', 400, 'User 2', 3, 1, 3],
    ]);
    expect(sent).toEqual([{ userId: 1, kind: 'outbid', title: 'You were outbid on Lot', body: 'User 2 bid $4.00.', data: { auctionId: 1, amountCents: 400 } }]);
  });

  it('broadcasts follow acceptance order even when an earlier acceptance is slower', async () => {
    auctions.delays = [5, 0];
    await Promise.all([service.placeBid(user(1), 1, { amountCents: 200 }, undefined), service.placeBid(user(2), 1, { amountCents: 300 }, undefined)]);
    expect(broadcasts.map((e) => e.data.amountCents)).toEqual([200, 300]);
  });

  it('maps refusals: 404 unknown auction, 409 with the current price, 422 not open', async () => {
    await expect(service.placeBid(user(1), 9, { amountCents: 200 }, undefined)).rejects.toBeInstanceOf(AuctionNotFoundError);
    await expect(service.placeBid(user(1), 1, { amountCents: 100 }, undefined)).rejects.toThrow(new BidTooLowError(100).message);
    expect(new BidTooLowError(1250).message).toBe('Bid must be above the current price of 1250 cents');
    auctions.auction.endsAt = new Date(Date.now() - 1);
    await expect(service.placeBid(user(1), 1, { amountCents: 500 }, undefined)).rejects.toBeInstanceOf(AuctionNotOpenError);
    expect(broadcasts).toEqual([]);
  });

  it('refuses an auction ending in the past', async () => {
    await expect(service.create({ title: 'Old', startingPriceCents: 1, endsAt: '2020-01-01T00:00:00Z' })).rejects.toBeInstanceOf(EndsAtInPastError);
  });

  it('the closer closes a due auction once: auction.closed after the last bid, won to the winner', async () => {
    await service.placeBid(user(3), 1, { amountCents: 900 }, undefined);
    auctions.auction.endsAt = new Date(Date.now() - 1);
    expect(await closer.closeDue()).toBe(1);
    expect(await closer.closeDue()).toBe(0);
    expect(broadcasts.map((e) => e.type)).toEqual(['bid', 'auction.closed']);
    expect(broadcasts[1]!.data).toEqual({ auctionId: 1, seq: 1, winnerId: 3, finalPriceCents: 900 });
    // The close sits after the last bid, so a subscriber whose snapshot holds that bid still gets it.
    expect(broadcasts.map((e) => e.position)).toEqual([1, 2]);
    expect(sent).toEqual([{ userId: 3, kind: 'won', title: 'You won Lot', body: 'Final price $9.00.', data: { auctionId: 1, finalPriceCents: 900 } }]);
  });

  it('an auction without bids closes with no winner and notifies nobody', async () => {
    auctions.auction.endsAt = new Date(Date.now() - 1);
    expect(await closer.closeDue()).toBe(1);
    expect(broadcasts[0]!.data).toEqual({ auctionId: 1, seq: 0, winnerId: null, finalPriceCents: 100 });
    expect(sent).toEqual([]);
  });
});
