/**
 * The acceptance SQL on its own, on each database, WITHOUT the API's per-auction lock — as several
 * API processes would run it: concurrent bids still give strictly increasing accepted amounts, a price
 * equal to the highest accepted bid, and a bid count equal to the accepted bids.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { Auction } from '../../apps/api/src/modules/auction/auction.entity.js';
import { AuctionRepository } from '../../apps/api/src/modules/auction/auction.repository.js';
import { Bid } from '../../apps/api/src/modules/auction/bid.entity.js';
import { databaseKinds } from '../support/databases.js';
import { type MigratedStore, migratedStore } from '../support/migrated-store.js';

describe.each(databaseKinds())('bid acceptance without the in-process lock (%s)', (kind) => {
  let store: MigratedStore;
  let dataSource: DataSource;
  let repository: AuctionRepository;
  let userIds: number[];

  beforeAll(async () => {
    store = await migratedStore(kind, { count: 10, emailPrefix: 'atomic' });
    ({ dataSource, userIds } = store);
    repository = new AuctionRepository(dataSource, dataSource.getRepository(Auction), dataSource.getRepository(Bid));
  }, 120_000);
  afterAll(async () => {
    await store?.close();
  }, 120_000);

  it('150 concurrent acceptances: strictly increasing, price = highest accepted, bidCount = accepted', async () => {
    const auction = await repository.create({ title: 'Atomic', startingPriceCents: 100, endsAt: new Date(Date.now() + 3_600_000) });
    const amounts = Array.from({ length: 150 }, (_, i) => 101 + ((i * 7919) % 5000));
    const attempts = await Promise.all(amounts.map((amountCents, i) => repository.tryAcceptBid({ auctionId: auction.id, bidderId: userIds[i % userIds.length]!, amountCents, now: new Date() })));
    const accepted = attempts.flatMap((a) => (a.outcome === 'accepted' ? [a.bid] : []));
    expect(attempts.every((a) => a.outcome === 'accepted' || a.outcome === 'too-low')).toBe(true);

    const stored = await repository.bidsInOrder(auction.id);
    expect(stored.map((b) => b.id)).toEqual(accepted.map((b) => b.id).sort((x, y) => x - y));
    for (let i = 1; i < stored.length; i++) expect(stored[i]!.amountCents).toBeGreaterThan(stored[i - 1]!.amountCents);
    const after = await repository.findById(auction.id);
    expect(after).toMatchObject({ currentPriceCents: Math.max(...amounts), bidCount: stored.length, leaderId: stored[stored.length - 1]!.bidderId });
  });

  it('refuses bids at or after endsAt and on closed auctions, even before the closer ran', async () => {
    const ending = await repository.create({ title: 'Ending', startingPriceCents: 100, endsAt: new Date(Date.now() + 50) });
    expect(await repository.tryAcceptBid({ auctionId: ending.id, bidderId: userIds[0]!, amountCents: 200, now: new Date(Date.now() + 100) })).toEqual({ outcome: 'not-open' });
    const closed = await repository.create({ title: 'Closed', startingPriceCents: 100, endsAt: new Date(Date.now() + 3_600_000) });
    expect(await repository.close(closed.id)).toBe(true);
    expect(await repository.close(closed.id)).toBe(false);
    expect(await repository.tryAcceptBid({ auctionId: closed.id, bidderId: userIds[0]!, amountCents: 200, now: new Date() })).toEqual({ outcome: 'not-open' });
    expect(await repository.tryAcceptBid({ auctionId: 987654, bidderId: userIds[0]!, amountCents: 200, now: new Date() })).toEqual({ outcome: 'not-found' });
  });
});
