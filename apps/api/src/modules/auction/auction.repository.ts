import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, LessThanOrEqual, type Repository } from 'typeorm';
import { Auction } from './auction.entity.js';
import { AuctionBusyError } from './auction.errors.js';
import { Bid } from './bid.entity.js';
import { isTransientTransactionError } from '../../database/driver-errors.js';
import { backoff } from './transaction-retry.js';

export interface NewAuction {
  title: string;
  startingPriceCents: number;
  endsAt: Date;
}

export interface BidRequest {
  auctionId: number;
  bidderId: number;
  amountCents: number;
  now: Date;
}

export type BidAttempt =
  | { outcome: 'accepted'; bid: Bid; previous: Auction }
  | { outcome: 'not-found' }
  | { outcome: 'not-open' }
  | { outcome: 'too-low'; currentPriceCents: number };

/** The few better-sqlite3 calls used here (the package ships no types). */
interface SqliteStatement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}
interface SqliteDatabase {
  readonly inTransaction: boolean;
  prepare(sql: string): SqliteStatement;
  transaction<T>(fn: () => T): { immediate(): T };
}

/** Attempts before giving up on an auction that other API processes keep changing under us. */
const MAX_ATTEMPTS = 25;

/** TypeORM's SQLite datetime text: `YYYY-MM-DD HH:MM:SS.SSS` (UTC), which compares correctly as a string. */
function sqliteDatetime(date: Date): string {
  return date.toISOString().slice(0, 23).replace('T', ' ');
}

@Injectable()
export class AuctionRepository {
  private readonly sqlite: boolean;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(Auction) private readonly auctions: Repository<Auction>,
    @InjectRepository(Bid) private readonly bids: Repository<Bid>,
  ) {
    this.sqlite = dataSource.options.type === 'better-sqlite3';
  }

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
    const rows = await this.auctions.find({ select: { id: true }, where: { status: 'open', endsAt: LessThanOrEqual(now) }, order: { endsAt: 'ASC' }, take: limit });
    return rows.map((row) => row.id);
  }

  /** Closes the auction if it is still open; true for the one caller (of any process) that closed it. */
  async close(id: number): Promise<boolean> {
    const result = await this.auctions.createQueryBuilder().update(Auction).set({ status: 'closed' }).where('id = :id AND status = :open', { id, open: 'open' }).execute();
    return (result.affected ?? 0) === 1;
  }

  /**
   * Accepts a bid atomically: a conditional UPDATE of the auction (still open, not past its end, price
   * below the amount, unchanged since we read it) and the bid INSERT in one transaction. No row locks
   * are held between the read and the write, so this works the same on SQLite and MySQL; a lost race
   * or a deadlock is retried with a fresh read.
   */
  async tryAcceptBid(request: BidRequest): Promise<BidAttempt> {
    for (let attempt = 1; ; attempt++) {
      const auction = await this.auctions.findOneBy({ id: request.auctionId });
      if (!auction) return { outcome: 'not-found' };
      if (auction.status !== 'open' || auction.endsAt.getTime() <= request.now.getTime()) return { outcome: 'not-open' };
      if (request.amountCents <= auction.currentPriceCents) return { outcome: 'too-low', currentPriceCents: auction.currentPriceCents };
      try {
        const bid = this.sqlite ? await this.acceptOnSqlite(request, auction.version) : await this.acceptOnMysql(request, auction.version);
        if (bid) return { outcome: 'accepted', bid, previous: auction };
      } catch (error) {
        if (!isTransientTransactionError(error)) throw error;
      }
      // Never a 5xx for contention: after this many lost races the client is told to try again.
      if (attempt >= MAX_ATTEMPTS) throw new AuctionBusyError();
      await backoff(attempt);
    }
  }

  private async acceptOnMysql(request: BidRequest, version: number): Promise<Bid | null> {
    return this.dataSource.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(Auction)
        .set({ currentPriceCents: request.amountCents, leaderId: request.bidderId, bidCount: () => 'bid_count + 1', version: () => 'version + 1' })
        .where('id = :id AND status = :open AND ends_at > :now AND current_price_cents < :amount AND version = :version', {
          id: request.auctionId,
          open: 'open',
          now: request.now,
          amount: request.amountCents,
          version,
        })
        .execute();
      if ((result.affected ?? 0) !== 1) return null;
      const bid = manager.create(Bid, { auctionId: request.auctionId, bidderId: request.bidderId, amountCents: request.amountCents, createdAt: request.now });
      await manager.insert(Bid, bid);
      return bid;
    });
  }

  /**
   * SQLite: TypeORM shares ONE connection between all requests, so an async transaction would swallow
   * whatever other requests run meanwhile (and roll it back with ours). better-sqlite3's synchronous
   * transaction runs both statements with nothing in between.
   */
  private async acceptOnSqlite(request: BidRequest, version: number): Promise<Bid | null> {
    const db = (this.dataSource.driver as unknown as { databaseConnection: SqliteDatabase }).databaseConnection;
    // Another request's TypeORM transaction (e.g. a save()) may be open on the shared connection: ours
    // would nest into it and share its fate, so wait until it is done (nothing can start in between).
    for (let waited = 0; db.inTransaction; waited++) {
      if (waited > 5000) throw new AuctionBusyError();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const now = sqliteDatetime(request.now);
    const accept = db.transaction((): number | null => {
      const updated = db
        .prepare(
          `UPDATE auctions SET current_price_cents = ?, leader_id = ?, bid_count = bid_count + 1, version = version + 1
           WHERE id = ? AND status = 'open' AND ends_at > ? AND current_price_cents < ? AND version = ?`,
        )
        .run(request.amountCents, request.bidderId, request.auctionId, now, request.amountCents, version);
      if (updated.changes !== 1) return null;
      const inserted = db.prepare('INSERT INTO bids (auction_id, bidder_id, amount_cents, created_at) VALUES (?, ?, ?, ?)').run(request.auctionId, request.bidderId, request.amountCents, now);
      return Number(inserted.lastInsertRowid);
    });
    const id = accept.immediate();
    if (id === null) return null;
    return this.bids.create({ id, auctionId: request.auctionId, bidderId: request.bidderId, amountCents: request.amountCents, createdAt: request.now });
  }
}
