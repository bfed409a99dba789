import { beforeEach, describe, expect, it } from '@jest/globals';
import type { AuthUser } from '../../common/auth-user.js';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import type { NotificationInput, NotificationService } from '../notification/notification.service.js';
import type { PushService } from '../push/push.service.js';
import { AuctionCloser } from './auction-closer.js';
import { AuctionLock } from './auction-lock.js';
import type { Auction } from './auction.entity.js';
import { AuctionNotFoundError, AuctionNotOpenError, BidTooLowError, EndsAtInPastError } from './auction.errors.js';
import type { AuctionRepository, PriceRaise } from './auction.repository.js';
import { AuctionService } from './auction.service.js';
import type { Bid } from './bid.entity.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * One auction in memory behind the repository's compare-and-set; `delays` makes a raise slow, `racers`
 * let another process bid between the service's read and its write.
 */
class FakeAuctions {
  auction: Auction = {
    id: 1,
    title: 'Lot',
    startingPriceCents: 100,
    currentPriceCents: 100,
    leaderId: null,
    endsAt: new Date(Date.now() + 60_000),
    status: 'open',
    bidCount: 0,
    version: 0,
    createdAt: new Date(),
  };
  delays: number[] = [];
  racers: Array<{ bidderId: number; amountCents: number }> = [];
  reads = 0;
  private nextBidId = 1;

  async findForBid(id: number) {
    this.reads++;
    return id === this.auction.id ? { ...this.auction } : null;
  }
  async raisePrice(raise: PriceRaise): Promise<Bid | null> {
    for (let i = this.delays.shift() ?? 0; i > 0; i--) await tick();
    const racer = this.racers.shift();
    if (racer) this.apply({ ...raise, ...racer, expectedVersion: this.auction.version });
    return this.apply(raise);
  }
  private apply(raise: PriceRaise): Bid | null {
    const a = this.auction;
    if (
      raise.auctionId !== a.id ||
      a.version !== raise.expectedVersion ||
      a.status !== 'open' ||
      a.endsAt <= raise.now ||
      raise.amountCents <= a.currentPriceCents
    )
      return null;
    Object.assign(a, {
      currentPriceCents: raise.amountCents,
      leaderId: raise.bidderId,
      bidCount: a.bidCount + 1,
      version: a.version + 1,
    });
    return {
      id: this.nextBidId++,
      auctionId: raise.auctionId,
      bidderId: raise.bidderId,
      amountCents: raise.amountCents,
      createdAt: raise.now,
    } as Bid;
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
  const user = (id: number): AuthUser => ({ id, email: `u${id}@x.test`, displayName: `User ${id}`, roles: ['user'] });

  beforeEach(() => {
    auctions = new FakeAuctions();
    broadcasts = [];
    sent = [];
    const sockets = {
      sendToSubscribers: async (
        auctionId: number,
        position: number,
        event: { type: string; data: Record<string, unknown> },
      ) => (broadcasts.push({ ...event, auctionId, position }), { deliveredTo: 0, staleRemoved: 0, failed: 0 }),
    } as unknown as PushService;
    const notifications = {
      send: async (input: NotificationInput) => (sent.push(input), { notification: {}, delivery: Promise.resolve() }),
    } as unknown as NotificationService;
    const idempotency = {
      execute: (_call: unknown, work: () => Promise<unknown>) => work(),
    } as unknown as IdempotencyService;
    const lock = new AuctionLock();
    service = new AuctionService(auctions as unknown as AuctionRepository, lock, sockets, notifications, idempotency);
    closer = new AuctionCloser(auctions as unknown as AuctionRepository, lock, sockets, notifications);
  });

  it("an accepted bid goes to the auction's subscribers with the bidder name and its seq; the previous leader (only another user) is notified", async () => {
    expect((await service.placeBid(user(1), 1, { amountCents: 200 }, undefined)).body).toMatchObject({
      id: 1,
      bidderId: 1,
      amountCents: 200,
    });
    await service.placeBid(user(1), 1, { amountCents: 300 }, undefined);
    await service.placeBid(user(2), 1, { amountCents: 400 }, undefined);
    await tick();
    expect(
      broadcasts.map((e) => [e.type, e.data.amountCents, e.data.bidderName, e.data.seq, e.auctionId, e.position]),
    ).toEqual([
      ['bid', 200, 'User 1', 1, 1, 1],
      ['bid', 300, 'User 1', 2, 1, 2],
      ['bid', 400, 'User 2', 3, 1, 3],
    ]);
    expect(sent).toEqual([
      {
        userId: 1,
        kind: 'outbid',
        title: 'You were outbid on Lot',
        body: 'User 2 bid $4.00.',
        data: { auctionId: 1, amountCents: 400 },
      },
    ]);
  });

  it('broadcasts follow acceptance order even when an earlier acceptance is slower', async () => {
    auctions.delays = [5, 0];
    await Promise.all([
      service.placeBid(user(1), 1, { amountCents: 200 }, undefined),
      service.placeBid(user(2), 1, { amountCents: 300 }, undefined),
    ]);
    expect(broadcasts.map((e) => e.data.amountCents)).toEqual([200, 300]);
  });

  it('maps refusals: 404 unknown auction, 409 with the current price, 422 not open', async () => {
    await expect(service.placeBid(user(1), 9, { amountCents: 200 }, undefined)).rejects.toBeInstanceOf(
      AuctionNotFoundError,
    );
    await expect(service.placeBid(user(1), 1, { amountCents: 100 }, undefined)).rejects.toThrow(
      new BidTooLowError(100).message,
    );
    expect(new BidTooLowError(1250).message).toBe('Bid must be above the current price of 1250 cents');
    auctions.auction.endsAt = new Date(Date.now() - 1);
    await expect(service.placeBid(user(1), 1, { amountCents: 500 }, undefined)).rejects.toBeInstanceOf(
      AuctionNotOpenError,
    );
    expect(broadcasts).toEqual([]);
  });

  it('a lost race is decided again on a fresh read: accepted when still above the price, refused when not', async () => {
    auctions.racers = [{ bidderId: 7, amountCents: 250 }];
    expect((await service.placeBid(user(1), 1, { amountCents: 300 }, undefined)).body).toMatchObject({
      amountCents: 300,
      bidderId: 1,
    });
    expect(auctions.reads).toBe(2);
    auctions.racers = [{ bidderId: 7, amountCents: 500 }];
    await expect(service.placeBid(user(2), 1, { amountCents: 400 }, undefined)).rejects.toThrow(
      new BidTooLowError(500).message,
    );
    expect(auctions.auction).toMatchObject({ currentPriceCents: 500, leaderId: 7, bidCount: 3 });
    expect(broadcasts.map((e) => e.data.amountCents)).toEqual([300]);
  });

  it('refuses an auction ending in the past', async () => {
    await expect(
      service.create({ title: 'Old', startingPriceCents: 1, endsAt: '2020-01-01T00:00:00Z' }),
    ).rejects.toBeInstanceOf(EndsAtInPastError);
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
    expect(sent).toEqual([
      {
        userId: 3,
        kind: 'won',
        title: 'You won Lot',
        body: 'Final price $9.00.',
        data: { auctionId: 1, finalPriceCents: 900 },
      },
    ]);
  });

  it('an auction without bids closes with no winner and notifies nobody', async () => {
    auctions.auction.endsAt = new Date(Date.now() - 1);
    expect(await closer.closeDue()).toBe(1);
    expect(broadcasts[0]!.data).toEqual({ auctionId: 1, seq: 0, winnerId: null, finalPriceCents: 100 });
    expect(sent).toEqual([]);
  });
});
