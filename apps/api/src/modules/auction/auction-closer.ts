import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { NotificationService } from '../notification/notification.service.js';
import { PushService } from '../push/push.service.js';
import { toAuctionClosedEvent, wonNotification } from './auction-events.js';
import { AuctionLock } from './auction-lock.js';
import { AuctionRepository } from './auction.repository.js';

const BATCH = 100;

/**
 * Closes auctions at `endsAt`. Polling the database every second (rather than one timer per auction)
 * needs no rescheduling after a restart and costs one indexed query; the conditional UPDATE makes
 * exactly one process (and one tick) close each auction. Bids past `endsAt` are refused even before.
 */
@Injectable()
export class AuctionCloser {
  private readonly logger = new Logger(AuctionCloser.name);
  private running = false;

  constructor(
    private readonly auctions: AuctionRepository,
    private readonly lock: AuctionLock,
    private readonly sockets: PushService,
    private readonly notifications: NotificationService,
  ) {}

  @Interval('auction-closer', 1000)
  async tick(): Promise<void> {
    if (this.running) return; // a slow tick is not overtaken by the next one
    this.running = true;
    try {
      await this.closeDue();
    } catch (error) {
      this.logger.error(`Closing auctions failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.running = false;
    }
  }

  /** Closes every auction whose end has come; returns how many this call closed. */
  async closeDue(now = new Date()): Promise<number> {
    let closed = 0;
    for (const id of await this.auctions.findDueIds(now, BATCH)) {
      if (await this.close(id)) closed++;
    }
    return closed;
  }

  private async close(id: number): Promise<boolean> {
    // Under the auction's lock: `auction.closed` is queued after the broadcast of the last accepted bid.
    const auction = await this.lock.run(id, async () => {
      if (!(await this.auctions.close(id))) return null;
      const row = await this.auctions.findById(id);
      // To the auction's subscribers; the close's position is after the last bid (see SubscriptionRepository).
      if (row)
        this.sockets
          .sendToSubscribers(id, row.bidCount + 1, toAuctionClosedEvent(row, new Date()))
          .catch((error: unknown) => this.logger.error(`auction.closed fan-out for ${id} failed: ${String(error)}`));
      return row;
    });
    if (!auction) return false;
    this.logger.log(`Auction ${id} closed: winner ${auction.leaderId ?? 'none'}, ${auction.currentPriceCents} cents`);
    if (auction.leaderId !== null) {
      // A failed notification must not stop the other closes of this tick.
      await this.notifications
        .send(wonNotification(auction))
        .catch((error: unknown) => this.logger.error(`won notification for auction ${id} failed: ${String(error)}`));
    }
    return true;
  }
}
