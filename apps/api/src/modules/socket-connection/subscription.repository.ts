import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { databaseTime } from '../../database/database-time.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../database/driver-errors.js';
import { runUpdate } from '../../database/run-update.js';
import { UNEXPIRED_SQL } from './socket-connection.repository.js';
import { Subscription } from './subscription.entity.js';

export type SubscribeOutcome = 'subscribed' | 'limit-reached' | 'connection-gone';

/**
 * Subscriptions of connections to auctions.
 *
 * Positions order an auction's events: a bid's position is its `seq`; the close's is the final bid
 * count + 1 (after the last bid). A subscription stores the position its snapshot covers, and an event
 * goes only to subscriptions whose snapshot is older than it — so an event queued before the snapshot
 * was taken but pushed after the row exists is not sent a second time.
 */
@Injectable()
export class SubscriptionRepository {
  constructor(@InjectRepository(Subscription) private readonly subscriptions: Repository<Subscription>) {}

  /** Every subscription of every connection (GET /metrics). */
  count(): Promise<number> {
    return this.subscriptions.count();
  }

  /**
   * Subscribes (or, when already subscribed, moves the snapshot position: one row either way).
   * `'limit-reached'` when the connection already watches `limit` other auctions;
   * `'connection-gone'` when its row was deleted meanwhile (the foreign key refused the insert).
   *
   * Plain SQL with placeholders, like the fan-out's read: it runs for every room a visitor opens, and the
   * query builder writes numbers into the SQL text on SQLite (each connection a new statement to prepare).
   */
  async subscribe(
    socketConnectionId: number,
    auctionId: number,
    snapshotPosition: number,
    limit: number,
  ): Promise<SubscribeOutcome> {
    if (await this.moveSnapshot(socketConnectionId, auctionId, snapshotPosition)) return 'subscribed';
    // The gateway runs one message at a time per connection, so the count cannot race another subscribe of the same connection.
    const counted = (await this.subscriptions.query(
      'SELECT COUNT(*) AS n FROM subscriptions WHERE socket_connection_id = ?',
      [socketConnectionId],
    )) as { n: number | string }[];
    if (Number(counted[0]?.n ?? 0) >= limit) return 'limit-reached';
    try {
      await this.subscriptions.query(
        'INSERT INTO subscriptions (socket_connection_id, auction_id, snapshot_position, created_at) VALUES (?, ?, ?, ?)',
        [
          socketConnectionId,
          auctionId,
          snapshotPosition,
          databaseTime(this.subscriptions.manager.connection, new Date()),
        ],
      );
      return 'subscribed';
    } catch (error) {
      if (isUniqueViolation(error))
        return (await this.moveSnapshot(socketConnectionId, auctionId, snapshotPosition))
          ? 'subscribed'
          : 'connection-gone';
      if (isForeignKeyViolation(error)) return 'connection-gone';
      throw error;
    }
  }

  /** True when something was removed; false is fine too (not subscribed). */
  async unsubscribe(socketConnectionId: number, auctionId: number): Promise<boolean> {
    const removed = await runUpdate(
      this.subscriptions.manager.connection,
      'DELETE FROM subscriptions WHERE socket_connection_id = ? AND auction_id = ?',
      [socketConnectionId, auctionId],
    );
    return removed > 0;
  }

  /** The auctions a connection watches, in id order. */
  async auctionIdsOf(socketConnectionId: number): Promise<number[]> {
    const rows = await this.subscriptions.find({
      select: { auctionId: true },
      where: { socketConnectionId },
      order: { auctionId: 'ASC' },
    });
    return rows.map((row) => row.auctionId);
  }

  /**
   * Keyset page of the connections subscribed to an auction whose snapshot is older than `position`,
   * ordered by socket_connections.id: pass the last id you got (0 to start). Served by the
   * (auction_id, socket_connection_id) index; plain rows, as the other push paths read them.
   */
  async pageSubscriberConnectionIds(
    auctionId: number,
    position: number,
    afterId: number,
    limit: number,
  ): Promise<{ id: number; connectionId: string }[]> {
    // Plain SQL with placeholders: it runs for every bid, and the query builder writes numbers into the
    // SQL text on SQLite, so each auction, position and cursor made a new statement to prepare.
    const rows = (await this.subscriptions.query(
      `SELECT s.socket_connection_id AS id, c.connection_id AS connectionId
         FROM subscriptions s INNER JOIN socket_connections c ON c.id = s.socket_connection_id
        WHERE s.auction_id = ? AND s.socket_connection_id > ? AND s.snapshot_position < ? AND ${UNEXPIRED_SQL}
        ORDER BY s.socket_connection_id ASC LIMIT ?`,
      [auctionId, afterId, position, databaseTime(this.subscriptions.manager.connection, new Date()), limit],
    )) as { id: number | string; connectionId: string }[];
    return rows.map((row) => ({ id: Number(row.id), connectionId: row.connectionId }));
  }

  /** True when the row exists (MySQL counts matched rows: mysql2 connects with FOUND_ROWS, as TypeORM's update() relied on). */
  private async moveSnapshot(
    socketConnectionId: number,
    auctionId: number,
    snapshotPosition: number,
  ): Promise<boolean> {
    const moved = await runUpdate(
      this.subscriptions.manager.connection,
      'UPDATE subscriptions SET snapshot_position = ? WHERE socket_connection_id = ? AND auction_id = ?',
      [snapshotPosition, socketConnectionId, auctionId],
    );
    return moved > 0;
  }
}
