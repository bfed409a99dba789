import type { AuctionClosedEvent, BidEvent } from '@gavel/contracts';
import type { NotificationInput } from '../notification/notification.service.js';
import type { Auction } from './auction.entity.js';
import type { Bid } from './bid.entity.js';

/** One formatter for the process: `toLocaleString()` builds a new Intl.NumberFormat on every call (~80 µs). */
const DOLLARS = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** `$1,234.50` from cents. */
export function formatCents(cents: number): string {
  return `$${DOLLARS.format(cents / 100)}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Sent to the auction's subscribers for each accepted bid; the event id is the bid id, `seq` its position in the auction. */
export function toBidEvent(bid: Bid, bidderName: string, seq: number): BidEvent {
  return {
    type: 'bid',
    id: bid.id,
    ts: bid.createdAt.toISOString(),
    data: {
      auctionId: bid.auctionId,
      bidId: bid.id,
      seq,
      amountCents: bid.amountCents,
      bidderId: bid.bidderId,
      bidderName,
      createdAt: bid.createdAt.toISOString(),
    },
  };
}

/** Sent to the auction's subscribers when it closes; the event id is the auction id, `seq` its final bid count. */
export function toAuctionClosedEvent(auction: Auction, closedAt: Date): AuctionClosedEvent {
  return {
    type: 'auction.closed',
    id: auction.id,
    ts: closedAt.toISOString(),
    data: {
      auctionId: auction.id,
      seq: auction.bidCount,
      winnerId: auction.leaderId,
      finalPriceCents: auction.currentPriceCents,
    },
  };
}

/** The stored notification the previous leader gets when someone else takes the lead. */
export function outbidNotification(
  userId: number,
  auction: Pick<Auction, 'id' | 'title'>,
  bid: Bid,
  bidderName: string,
): NotificationInput {
  return {
    userId,
    kind: 'outbid',
    title: truncate(`You were outbid on ${auction.title}`, 200),
    body: `${bidderName} bid ${formatCents(bid.amountCents)}.`,
    data: { auctionId: auction.id, amountCents: bid.amountCents },
  };
}

/** The stored notification the winner gets when the auction closes. */
export function wonNotification(auction: Auction): NotificationInput {
  return {
    userId: auction.leaderId!,
    kind: 'won',
    title: truncate(`You won ${auction.title}`, 200),
    body: `Final price ${formatCents(auction.currentPriceCents)}.`,
    data: { auctionId: auction.id, finalPriceCents: auction.currentPriceCents },
  };
}
