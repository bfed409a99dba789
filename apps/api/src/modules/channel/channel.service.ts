import { Injectable, Logger } from '@nestjs/common';
import { MAX_SUBSCRIPTIONS_PER_CONNECTION } from '@gavel/contracts';
import { AuctionLock } from '../auction/auction-lock.js';
import { toAuctionDetailResponse } from '../auction/auction.dto.js';
import { AuctionNotFoundError } from '../auction/auction.errors.js';
import { AuctionRepository } from '../auction/auction.repository.js';
import { DETAIL_BIDS } from '../auction/auction.service.js';
import { PushService } from '../push/push.service.js';
import { SocketConnectionRepository } from '../socket-connection/socket-connection.repository.js';
import { SubscriptionRepository } from '../socket-connection/subscription.repository.js';
import type { SubscribedResponse, SubscriptionParams, UnsubscribedResponse } from './channel.dto.js';
import { ConnectionNotAuthenticatedError, TooManySubscriptionsError } from './channel.errors.js';

/**
 * Auction channels: a connection subscribes to an auction and from then on gets its `bid` and
 * `auction.closed` events, after a `subscribed` snapshot and without gaps or repeats.
 */
@Injectable()
export class ChannelService {
  private readonly logger = new Logger(ChannelService.name);

  constructor(
    private readonly connections: SocketConnectionRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly auctions: AuctionRepository,
    private readonly lock: AuctionLock,
    private readonly push: PushService,
  ) {}

  /**
   * Under the auction's lock — the one bid acceptance and closing hold while they queue their events,
   * across API copies on MySQL — reads the snapshot, stores the subscription with the position it covers
   * and sends the `subscribed` frame in the auction's push lane. So every later event is queued behind the frame,
   * and an earlier one still waiting in the lane skips this subscriber (its snapshot holds it already).
   */
  async subscribe(params: SubscriptionParams): Promise<SubscribedResponse> {
    const auctionId = Number(params.auctionId);
    const connection = await this.connections.findByConnectionId(params.connectionId);
    if (!connection) throw new ConnectionNotAuthenticatedError();
    return this.lock.run(auctionId, async () => {
      const [auction, bids] = await Promise.all([
        this.auctions.findById(auctionId),
        this.auctions.latestBids(auctionId, DETAIL_BIDS),
      ]);
      if (!auction) throw new AuctionNotFoundError(auctionId);
      const seq = auction.bidCount;
      // A close already stored is part of the snapshot (its event sits at position bid count + 1).
      const position = auction.status === 'closed' ? seq + 1 : seq;
      const outcome = await this.subscriptions.subscribe(
        connection.id,
        auctionId,
        position,
        MAX_SUBSCRIPTIONS_PER_CONNECTION,
      );
      if (outcome === 'limit-reached') throw new TooManySubscriptionsError(MAX_SUBSCRIPTIONS_PER_CONNECTION);
      if (outcome === 'connection-gone') throw new ConnectionNotAuthenticatedError();
      const frame: SubscribedResponse = {
        type: 'subscribed',
        data: { auctionId, seq, auction: toAuctionDetailResponse(auction, bids) },
      };
      // Sent before the lock is released: a bid another API copy accepts next is pushed after this frame.
      await this.push
        .sendSnapshot(auctionId, connection.connectionId, frame)
        .catch((error: unknown) =>
          this.logger.error(`subscribed frame for ${params.connectionId} failed: ${String(error)}`),
        );
      return frame;
    });
  }

  /** Unsubscribing what is not subscribed (or from a connection that never authenticated) is fine. */
  async unsubscribe(params: SubscriptionParams): Promise<UnsubscribedResponse> {
    const auctionId = Number(params.auctionId);
    const connection = await this.connections.findByConnectionId(params.connectionId);
    if (connection) await this.subscriptions.unsubscribe(connection.id, auctionId);
    return { type: 'unsubscribed', data: { auctionId } };
  }
}
