import type { AuctionClosedEventData, BidEventData } from '@gavel/contracts';
import type { Auction, Bid, Id } from './api-types.js';
import { compareIds, sameId } from './ids.js';

const KEEP_BIDS = 50;

/**
 * An auction as the room shows it, folded from the REST detail, our own accepted bids and pushed
 * `bid` / `auction.closed` events, in whatever order they arrive: each bid counts once, and the price
 * never goes down (accepted bids are strictly increasing, contract §7).
 */
export class AuctionState {
  auction: Auction;
  bids: Bid[];
  winnerId: Id | null = null;

  constructor(detail: Auction) {
    this.auction = { ...detail };
    this.bids = sortBids(detail.bids ?? []);
    if (!isOpen(detail) && detail.leaderId !== null) this.winnerId = detail.leaderId;
  }

  /** Folds one accepted bid in; returns false when it was already known. */
  applyBid(bid: Bid): boolean {
    if (!sameId(bid.auctionId, this.auction.id)) return false;
    if (this.bids.some((b) => sameId(b.id, bid.id))) return false;
    this.bids = sortBids([bid, ...this.bids]).slice(0, KEEP_BIDS);
    this.auction.bidCount = (this.auction.bidCount ?? 0) + 1;
    if (bid.amountCents >= this.auction.currentPriceCents || this.auction.leaderId === null) {
      this.auction.currentPriceCents = bid.amountCents;
      this.auction.leaderId = bid.bidderId;
      this.auction.leaderName = bid.bidderName ?? null;
    }
    return true;
  }

  applyClosed(event: AuctionClosedEventData): boolean {
    if (!sameId(event.auctionId, this.auction.id)) return false;
    this.auction.status = 'closed';
    this.auction.currentPriceCents = event.finalPriceCents;
    this.auction.leaderId = event.winnerId;
    this.winnerId = event.winnerId;
    return true;
  }

  get open(): boolean {
    return isOpen(this.auction);
  }

  /** The leader's name as best known: a bid of theirs, the detail, else their id. */
  leaderName(): string | null {
    const { leaderId } = this.auction;
    if (leaderId === null || leaderId === undefined) return null;
    const bid = this.bids.find((b) => sameId(b.bidderId, leaderId) && b.bidderName);
    return bid?.bidderName ?? this.auction.leaderName ?? `Bidder #${String(leaderId)}`;
  }
}

export function isOpen(auction: Pick<Auction, 'status' | 'endsAt'>, now = Date.now()): boolean {
  return auction.status === 'open' && !(new Date(auction.endsAt).getTime() <= now);
}

export function bidFromEvent(event: BidEventData): Bid {
  return {
    id: event.bidId,
    auctionId: event.auctionId,
    bidderId: event.bidderId,
    amountCents: event.amountCents,
    createdAt: event.createdAt,
    bidderName: event.bidderName,
  };
}

/** Highest first; equal amounts (never accepted twice, but be safe) newest first. */
function sortBids(bids: Bid[]): Bid[] {
  return [...bids].sort((a, b) => b.amountCents - a.amountCents || compareIds(b.id, a.id));
}
