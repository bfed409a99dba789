import { describe, expect, it } from '@jest/globals';
import type { Auction } from './api-types.js';
import { AuctionState, bidFromEvent } from './auction-state.js';

const detail = (): Auction => ({
  id: 1,
  title: 'Lamp',
  startingPriceCents: 1000,
  currentPriceCents: 1500,
  leaderId: 2,
  endsAt: new Date(Date.now() + 60_000).toISOString(),
  status: 'open',
  bidCount: 1,
  bids: [{ id: 5, auctionId: 1, bidderId: 2, amountCents: 1500, createdAt: '2026-01-01T00:00:00Z', bidderName: 'Bob' }],
});

const bid = (bidId: number | string, amountCents: number, bidderId: number | string = 1) =>
  bidFromEvent({
    auctionId: '1',
    bidId,
    seq: 0,
    amountCents,
    bidderId,
    bidderName: 'Alice',
    createdAt: '2026-01-01T00:00:01Z',
  });

describe(AuctionState.name, () => {
  it('applies a pushed bid once: price, leader, count and history', () => {
    const state = new AuctionState(detail());
    expect(state.applyBid(bid(6, 1600))).toBe(true);
    expect(state.applyBid(bid('6', 1600))).toBe(false);
    expect(state.auction).toMatchObject({ currentPriceCents: 1600, leaderId: 1, bidCount: 2 });
    expect(state.leaderName()).toBe('Alice');
    expect(state.bids.map((b) => b.id)).toEqual([6, 5]);
  });

  it('never lowers the price when bids arrive out of order', () => {
    const state = new AuctionState(detail());
    state.applyBid(bid(8, 1800, 3));
    state.applyBid(bid(7, 1700, 1));
    expect(state.auction).toMatchObject({ currentPriceCents: 1800, leaderId: 3, bidCount: 3 });
    expect(state.bids.map((b) => b.amountCents)).toEqual([1800, 1700, 1500]);
  });

  it('ignores bids of other auctions and closes on auction.closed', () => {
    const state = new AuctionState(detail());
    expect(state.applyBid({ ...bid(9, 9999), auctionId: 2 })).toBe(false);
    expect(state.applyClosed({ auctionId: 1, seq: 1, winnerId: 2, finalPriceCents: 1500 })).toBe(true);
    expect(state.open).toBe(false);
    expect(state.winnerId).toBe(2);
  });

  it('is not open once endsAt has passed, whatever the status says', () => {
    const state = new AuctionState({ ...detail(), endsAt: new Date(Date.now() - 1000).toISOString() });
    expect(state.open).toBe(false);
  });
});
