import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, LessThanOrEqual, type Repository } from 'typeorm';
import { DatabaseBusyError, guardedInsert } from '../../database/guarded-insert.js';
import { Auction } from './auction.entity.js';
import { AuctionBusyError } from './auction.errors.js';
import { Bid } from './bid.entity.js';

export interface NewAuction {
  title: string;
  startingPriceCents: number;
  endsAt: Date;
}

/** A price raise decided on the auction as read at `expectedVersion` (see AuctionService.placeBid). */
export interface PriceRaise {
  auctionId: number;
  expectedVersion: number;
  bidderId: number;
  amountCents: number;
  now: Date;
}

@Injectable()
export class AuctionRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(Auction) private readonly auctions: Repository<Auction>,
    @InjectRepository(Bid) private readonly bids: Repository<Bid>,
  ) {}

  async create(input: NewAuction): Promise<Auction> {
    const row = this.auctions.create({
      ...input,
      currentPriceCents: input.startingPriceCents,
      leaderId: null,
      status: 'open',
      bidCount: 0,
      version: 0,
      createdAt: new Date(),
    });
    await this.auctions.insert(row);
    return row;
  }

  findById(id: number): Promise<Auction | null> {
    return this.auctions.findOne({ where: { id }, relations: { leader: true } });
  }

  /** Newest first. */
  list(limit: number): Promise<Auction[]> {
    return this.auctions.find({ relations: { leader: true }, order: { id: 'DESC' }, take: limit });
  }

  /** The latest bids of an auction, newest first, bidders loaded. */
  latestBids(auctionId: number, limit: number): Promise<Bid[]> {
    return this.bids.find({ where: { auctionId }, relations: { bidder: true }, order: { id: 'DESC' }, take: limit });
  }

  /** All bids of an auction in acceptance order (tests and audits). */
  bidsInOrder(auctionId: number): Promise<Bid[]> {
    return this.bids.find({ where: { auctionId }, order: { id: 'ASC' } });
  }

  findOpenByTitle(title: string): Promise<Auction | null> {
    return this.auctions.findOneBy({ title, status: 'open' });
  }

  /** Open auctions whose end has come, oldest end first. */
  async findDueIds(now: Date, limit: number): Promise<number[]> {
    const rows = await this.auctions.find({
      select: { id: true },
      where: { status: 'open', endsAt: LessThanOrEqual(now) },
      order: { endsAt: 'ASC' },
      take: limit,
    });
    return rows.map((row) => row.id);
  }

  /** Closes the auction if it is still open; true for the one caller (of any process) that closed it. */
  async close(id: number): Promise<boolean> {
    const result = await this.auctions
      .createQueryBuilder()
      .update(Auction)
      .set({ status: 'closed' })
      .where('id = :id AND status = :open', { id, open: 'open' })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** The plain row (no relations), read before every decision on a bid. */
  findForBid(id: number): Promise<Auction | null> {
    return this.auctions.findOneBy({ id });
  }

  /**
   * Compare-and-set: sets the price and leader and stores the bid, in one transaction, only if the
   * auction is still at `expectedVersion`, open, before its end at `now` and below the amount. null
   * when any of that no longer holds at write time (or the database asked for a retry): nothing was
   * written, and the caller reads again and decides again.
   */
  async raisePrice(raise: PriceRaise): Promise<Bid | null> {
    const id = await guardedInsert(
      this.dataSource,
      {
        sql: `UPDATE auctions SET current_price_cents = ?, leader_id = ?, bid_count = bid_count + 1, version = version + 1
              WHERE id = ? AND status = 'open' AND ends_at > ? AND current_price_cents < ? AND version = ?`,
        params: [
          raise.amountCents,
          raise.bidderId,
          raise.auctionId,
          raise.now,
          raise.amountCents,
          raise.expectedVersion,
        ],
      },
      {
        sql: 'INSERT INTO bids (auction_id, bidder_id, amount_cents, created_at) VALUES (?, ?, ?, ?)',
        params: [raise.auctionId, raise.bidderId, raise.amountCents, raise.now],
      },
    ).catch((error: unknown) => {
      if (error instanceof DatabaseBusyError) throw new AuctionBusyError();
      throw error;
    });
    if (id === null) return null;
    return this.bids.create({
      id,
      auctionId: raise.auctionId,
      bidderId: raise.bidderId,
      amountCents: raise.amountCents,
      createdAt: raise.now,
    });
  }
}
