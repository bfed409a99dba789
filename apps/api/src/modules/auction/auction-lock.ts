import { Injectable, Logger, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createPool, type Pool, type PoolConnection } from 'mysql2';
import type { DataSource } from 'typeorm';
import { KeyedMutex } from '../../common/keyed-mutex.js';

/** Connections kept for holding named locks: apart from the query pool, so a lock holder never waits for its own pool. */
const LOCK_POOL_SIZE = 16;
/** GET_LOCK's wait (s): a holder only runs a few queries, so this long means something is wrong. */
const LOCK_WAIT_SECONDS = 10;

/*
 * mysql2's callback API, promisified here: its promise wrapper captures a stack trace for every query
 * (~30 µs of CPU each, twice per bid), which a lock query whose errors carry their own message does not need.
 */
function connectionOf(pool: Pool): Promise<PoolConnection> {
  return new Promise((resolve, reject) =>
    pool.getConnection((error, connection) => (error ? reject(error) : resolve(connection))),
  );
}

function query<T>(connection: PoolConnection, sql: string, values: unknown[]): Promise<T> {
  return new Promise((resolve, reject) =>
    connection.query(sql, values, (error, rows) => (error ? reject(error) : resolve(rows as T))),
  );
}

/**
 * One lock per auction, held from a bid's acceptance (or the auction's close) until its push is queued,
 * and by a subscription from its snapshot until its `subscribed` frame is sent. PushService delivers an
 * auction's pushes in call order, so every subscriber sees its snapshot, then the bids, then `auction.closed`.
 *
 * In process first (a KeyedMutex), then, on MySQL, across API copies: a named lock (GET_LOCK) per auction
 * on a connection of a small pool of its own (contract §9 — a snapshot taken by one copy must not miss
 * a bid another copy accepts meanwhile). SQLite means one process: the in-process lock is the whole lock.
 */
@Injectable()
export class AuctionLock extends KeyedMutex<number> implements OnApplicationShutdown {
  private readonly logger = new Logger(AuctionLock.name);
  private readonly pool: Pool | undefined;
  private readonly prefix: string;

  constructor(@Optional() @InjectDataSource() dataSource?: DataSource) {
    super();
    const options = dataSource?.options;
    if (options && (options.type === 'mysql' || options.type === 'mariadb')) {
      this.pool = createPool({
        host: options.host,
        port: options.port,
        user: options.username,
        password: typeof options.password === 'string' ? options.password : undefined,
        database: options.database,
        connectionLimit: LOCK_POOL_SIZE,
      });
    }
    // Named locks are server-wide: the database name keeps two databases on one server apart.
    this.prefix = `gavel:${String(options?.database ?? '')}:auction:`;
  }

  override run<T>(auctionId: number, task: () => Promise<T> | T): Promise<T> {
    const pool = this.pool;
    if (!pool) return super.run(auctionId, task);
    return super.run(auctionId, async () => {
      const name = `${this.prefix}${auctionId}`.slice(0, 64);
      const connection = await connectionOf(pool);
      let destroyed = false;
      try {
        const rows = await query<Array<{ acquired: number | null }>>(connection, 'SELECT GET_LOCK(?, ?) AS acquired', [
          name,
          LOCK_WAIT_SECONDS,
        ]);
        if (Number(rows[0]?.acquired) !== 1)
          throw new Error(`Lock on auction ${auctionId} not acquired within ${LOCK_WAIT_SECONDS} s`);
        try {
          return await task();
        } finally {
          await query(connection, 'SELECT RELEASE_LOCK(?)', [name]).catch((error: unknown) => {
            // Dropping the connection releases the lock too.
            this.logger.warn(`Releasing the lock on auction ${auctionId} failed: ${String(error)}`);
            destroyed = true;
            connection.destroy();
          });
        }
      } finally {
        if (!destroyed) connection.release();
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const pool = this.pool;
    if (pool) await new Promise<void>((resolve) => pool.end(() => resolve()));
  }
}
