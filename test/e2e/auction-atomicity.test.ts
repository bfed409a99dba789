/**
 * Bid acceptance (AuctionService's rules over the repository's compare-and-set) on each database,
 * WITHOUT a shared per-auction lock: every bid goes through its own service and lock, as it would on
 * as many API processes. Concurrent bids still give strictly increasing accepted amounts, a price
 * equal to the highest accepted bid, and a bid count equal to the accepted bids.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import type { AuthUser } from '../../apps/api/src/common/auth-user.js';
import type { IdempotencyService } from '../../apps/api/src/modules/idempotency/idempotency.service.js';
import type { NotificationService } from '../../apps/api/src/modules/notification/notification.service.js';
import type { PushService } from '../../apps/api/src/modules/push/push.service.js';
import { AuctionLock } from '../../apps/api/src/modules/auction/auction-lock.js';
import { Auction } from '../../apps/api/src/modules/auction/auction.entity.js';
import {
  AuctionNotFoundError,
  AuctionNotOpenError,
  BidTooLowError,
} from '../../apps/api/src/modules/auction/auction.errors.js';
import { AuctionRepository } from '../../apps/api/src/modules/auction/auction.repository.js';
import { AuctionService } from '../../apps/api/src/modules/auction/auction.service.js';
import { Bid } from '../../apps/api/src/modules/auction/bid.entity.js';
import { databaseKinds } from '../support/databases.js';
import { type MigratedStore, migratedStore } from '../support/migrated-store.js';

describe.each(databaseKinds())('bid acceptance without the in-process lock (%s)', (kind) => {
  let store: MigratedStore;
  let dataSource: DataSource;
  let repository: AuctionRepository;
  let userIds: number[];

  /** What one API process would run: its own service and its own lock; no pushes or notifications. */
  function apiProcess(): AuctionService {
    const sockets = {
      sendToSubscribers: async () => ({ deliveredTo: 0, staleRemoved: 0, failed: 0 }),
    } as unknown as PushService;
    const notifications = {
      send: async () => ({ notification: {}, delivery: Promise.resolve() }),
    } as unknown as NotificationService;
    const idempotency = {
      execute: (_call: unknown, work: () => Promise<unknown>) => work(),
    } as unknown as IdempotencyService;
    return new AuctionService(repository, new AuctionLock(), sockets, notifications, idempotency);
  }
  const bidder = (id: number): AuthUser => ({
    id,
    email: `atomic${id}@example.test`,
    displayName: `Atomic ${id}`,
    roles: ['user'],
  });
  const bid = (auctionId: number, bidderId: number, amountCents: number) =>
    apiProcess().placeBid(bidder(bidderId), auctionId, { amountCents }, undefined);

  beforeAll(async () => {
    store = await migratedStore(kind, { count: 10, emailPrefix: 'atomic' });
    ({ dataSource, userIds } = store);
    repository = new AuctionRepository(dataSource, dataSource.getRepository(Auction), dataSource.getRepository(Bid));
  }, 120_000);
  afterAll(async () => {
    await store?.close();
  }, 120_000);

  it('150 concurrent acceptances: strictly increasing, price = highest accepted, bidCount = accepted', async () => {
    const auction = await repository.create({
      title: 'Atomic',
      startingPriceCents: 100,
      endsAt: new Date(Date.now() + 3_600_000),
    });
    const amounts = Array.from({ length: 150 }, (_, i) => 101 + ((i * 7919) % 5000));
    const attempts = await Promise.allSettled(
      amounts.map((amountCents, i) => bid(auction.id, userIds[i % userIds.length]!, amountCents)),
    );
    const accepted = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value.body] : []));
    expect(attempts.every((a) => a.status === 'fulfilled' || a.reason instanceof BidTooLowError)).toBe(true);

    const stored = await repository.bidsInOrder(auction.id);
    expect(stored.map((b) => b.id)).toEqual(accepted.map((b) => b.id).sort((x, y) => x - y));
    for (let i = 1; i < stored.length; i++) expect(stored[i]!.amountCents).toBeGreaterThan(stored[i - 1]!.amountCents);
    const after = await repository.findById(auction.id);
    expect(after).toMatchObject({
      currentPriceCents: Math.max(...amounts),
      bidCount: stored.length,
      leaderId: stored[stored.length - 1]!.bidderId,
    });
  });

  it('refuses bids at or after endsAt and on closed auctions, even before the closer ran', async () => {
    // Past its end but still 'open': the closer has not run yet.
    const ending = await repository.create({
      title: 'Ending',
      startingPriceCents: 100,
      endsAt: new Date(Date.now() - 1),
    });
    await expect(bid(ending.id, userIds[0]!, 200)).rejects.toBeInstanceOf(AuctionNotOpenError);
    const closed = await repository.create({
      title: 'Closed',
      startingPriceCents: 100,
      endsAt: new Date(Date.now() + 3_600_000),
    });
    expect(await repository.close(closed.id)).toBe(true);
    expect(await repository.close(closed.id)).toBe(false);
    await expect(bid(closed.id, userIds[0]!, 200)).rejects.toBeInstanceOf(AuctionNotOpenError);
    await expect(bid(987654, userIds[0]!, 200)).rejects.toBeInstanceOf(AuctionNotFoundError);
    expect(await repository.bidsInOrder(ending.id)).toEqual([]);
    expect(await repository.bidsInOrder(closed.id)).toEqual([]);
  });

  it('the compare-and-set writes nothing when the auction changed, closed or ended after the decision', async () => {
    const auction = await repository.create({
      title: 'Stale',
      startingPriceCents: 100,
      endsAt: new Date(Date.now() + 3_600_000),
    });
    const read = (await repository.findForBid(auction.id))!;
    const raise = {
      auctionId: auction.id,
      expectedVersion: read.version,
      bidderId: userIds[0]!,
      amountCents: 200,
      now: new Date(),
    };
    const first = await repository.raisePrice(raise);
    expect(first).toMatchObject({ auctionId: auction.id, bidderId: userIds[0], amountCents: 200 });
    // A second decision taken on the same (now stale) read loses, even with a higher amount.
    expect(await repository.raisePrice({ ...raise, bidderId: userIds[1]!, amountCents: 900 })).toBeNull();
    const current = (await repository.findForBid(auction.id))!;
    expect(await repository.raisePrice({ ...raise, expectedVersion: current.version, amountCents: 200 })).toBeNull();
    expect(
      await repository.raisePrice({
        ...raise,
        expectedVersion: current.version,
        amountCents: 300,
        now: new Date(Date.now() + 7_200_000),
      }),
    ).toBeNull();
    expect(await repository.close(auction.id)).toBe(true);
    expect(await repository.raisePrice({ ...raise, expectedVersion: current.version, amountCents: 300 })).toBeNull();
    expect((await repository.bidsInOrder(auction.id)).map((b) => b.id)).toEqual([first!.id]);
    expect(await repository.findForBid(auction.id)).toMatchObject({
      currentPriceCents: 200,
      leaderId: userIds[0],
      bidCount: 1,
      version: current.version,
    });
  });
});
