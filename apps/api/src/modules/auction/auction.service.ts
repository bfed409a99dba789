import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import type { AuthUser } from '../../common/auth-user.js';
import { type Answer, IdempotencyService } from '../idempotency/idempotency.service.js';
import { NotificationService } from '../notification/notification.service.js';
import { PushService } from '../push/push.service.js';
import { outbidNotification, toBidEvent } from './auction-events.js';
import { AuctionLock } from './auction-lock.js';
import {
  type AuctionDetailResponse,
  type AuctionResponse,
  type BidResponse,
  type CreateAuctionDto,
  type PlaceBidDto,
  toAuctionDetailResponse,
  toAuctionResponse,
  toBidResponse,
} from './auction.dto.js';
import type { Auction } from './auction.entity.js';
import {
  AuctionBusyError,
  AuctionNotFoundError,
  AuctionNotOpenError,
  BidTooLowError,
  EndsAtInPastError,
} from './auction.errors.js';
import { AuctionRepository } from './auction.repository.js';
import type { Bid } from './bid.entity.js';

const LIST_LIMIT = 100;
/** Bids in GET /auctions/:id (and in a `subscribed` snapshot, which is that body). */
export const DETAIL_BIDS = 50;
/** Lost races (other API processes changing the auction under us) before the client is told to try again. */
const MAX_BID_ATTEMPTS = 25;

/** A short random pause so that retrying bidders do not collide again in lockstep. */
function backoff(attempt: number): Promise<void> {
  return sleep(Math.random() * Math.min(200, 5 * 2 ** attempt));
}

interface AcceptedBid {
  bid: Bid;
  /** The auction as it was just before this bid. */
  previous: Auction;
}

@Injectable()
export class AuctionService {
  private readonly logger = new Logger(AuctionService.name);

  constructor(
    private readonly auctions: AuctionRepository,
    private readonly lock: AuctionLock,
    private readonly sockets: PushService,
    private readonly notifications: NotificationService,
    private readonly idempotency: IdempotencyService,
  ) {}

  async create(dto: CreateAuctionDto, now = new Date()): Promise<AuctionResponse> {
    const endsAt = new Date(dto.endsAt);
    if (endsAt.getTime() <= now.getTime()) throw new EndsAtInPastError();
    return toAuctionResponse(
      await this.auctions.create({ title: dto.title.trim(), startingPriceCents: dto.startingPriceCents, endsAt }),
    );
  }

  async list(): Promise<AuctionResponse[]> {
    const now = new Date();
    return (await this.auctions.list(LIST_LIMIT)).map((row) => toAuctionResponse(row, now));
  }

  async get(id: number): Promise<AuctionDetailResponse> {
    const [auction, bids] = await Promise.all([this.auctions.findById(id), this.auctions.latestBids(id, DETAIL_BIDS)]);
    if (!auction) throw new AuctionNotFoundError(id);
    return toAuctionDetailResponse(auction, bids);
  }

  /** POST /auctions/:id/bids, at most once per Idempotency-Key. */
  placeBid(
    user: AuthUser,
    auctionId: number,
    dto: PlaceBidDto,
    idempotencyKey: string | undefined,
  ): Promise<Answer<BidResponse>> {
    return this.idempotency.execute(
      {
        scope: `user:${user.id}:POST /auctions/:id/bids`,
        key: idempotencyKey,
        request: { auctionId, amountCents: dto.amountCents },
      },
      async () => ({ statusCode: 201, body: await this.acceptBid(user, auctionId, dto.amountCents) }),
    );
  }

  /**
   * Accepts the bid atomically, queues its fan-out to the auction's subscribers while still holding the
   * auction's lock (so pushes follow acceptance order), and answers without waiting for the fan-out.
   */
  private async acceptBid(bidder: AuthUser, auctionId: number, amountCents: number): Promise<BidResponse> {
    // The JWT strategy loaded the user (and refused a deleted or blocked one) for this very request.
    const accepted = await this.lock.run(auctionId, async () => {
      const result = await this.raiseOrRefuse(auctionId, bidder.id, amountCents, new Date());
      // The bid's seq: the compare-and-set matched previous.version, so this bid took bid_count from previous.bidCount.
      const seq = result.previous.bidCount + 1;
      // To the auction's subscribers only; queued under the lock, so in acceptance order and behind any snapshot taken before.
      this.sockets
        .sendToSubscribers(auctionId, seq, toBidEvent(result.bid, bidder.displayName, seq))
        .catch((error: unknown) => this.logFailure(`fan-out of bid ${result.bid.id}`, error));
      return result;
    });

    const previousLeader = accepted.previous.leaderId;
    if (previousLeader !== null && previousLeader !== bidder.id) {
      // Stored and pushed in the background: the bid is accepted whatever happens to the notification.
      this.notifications
        .send(outbidNotification(previousLeader, accepted.previous, accepted.bid, bidder.displayName))
        .catch((error: unknown) => this.logFailure(`outbid notification for bid ${accepted.bid.id}`, error));
    }
    return toBidResponse(accepted.bid);
  }

  /**
   * The bid rules: the auction exists, is open and before its end, and the amount is above its price.
   * Decided on the row as read; the repository's compare-and-set then writes only if nothing changed
   * since (another API process may bid meanwhile) — after a lost race, read again and decide again.
   */
  private async raiseOrRefuse(
    auctionId: number,
    bidderId: number,
    amountCents: number,
    now: Date,
  ): Promise<AcceptedBid> {
    for (let attempt = 1; ; attempt++) {
      const auction = await this.auctions.findForBid(auctionId);
      if (!auction) throw new AuctionNotFoundError(auctionId);
      if (auction.status !== 'open' || auction.endsAt.getTime() <= now.getTime())
        throw new AuctionNotOpenError(auctionId);
      if (amountCents <= auction.currentPriceCents) throw new BidTooLowError(auction.currentPriceCents);
      const bid = await this.auctions.raisePrice({
        auctionId,
        expectedVersion: auction.version,
        bidderId,
        amountCents,
        now,
      });
      if (bid) return { bid, previous: auction };
      // Never a 5xx for contention: after this many lost races the client is told to try again.
      if (attempt >= MAX_BID_ATTEMPTS) throw new AuctionBusyError();
      await backoff(attempt);
    }
  }

  private logFailure(what: string, error: unknown): void {
    this.logger.error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
