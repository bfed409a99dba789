import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface CounterState {
  /** Hits in the current window, this one included. */
  hits: number;
  /**
   * When the current window ends (ms since the epoch). Always known when the hit opened the window or
   * went over the limit; on MySQL an allowed later hit does not read it (nobody needs it: no headers).
   */
  windowEndsAt: number | undefined;
}

/**
 * The rate limits' counters in the database, so that every API copy counts against the same window.
 * One hit is one statement on either database — every login, registration and bid pays for it:
 * SQLite returns the row with RETURNING; MySQL has no RETURNING, so the upsert hands the new count
 * back through `LAST_INSERT_ID(expr)`, which the OK packet carries as its insert id (0 when the row
 * was new: the table has no AUTO_INCREMENT column). The window's end is read only for a refused hit.
 */
@Injectable()
export class RateLimitCounterRepository {
  private readonly mysql: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    const type = dataSource.options.type;
    this.mysql = type === 'mysql' || type === 'mariadb';
  }

  /**
   * Counts one hit for `key`; a window of `ttlMs` starts with the first hit after the previous one ended.
   * `limit` only decides whether MySQL reads the window's end (for the refused hit's Retry-After).
   */
  hit(key: string, ttlMs: number, limit: number, now = Date.now()): Promise<CounterState> {
    const keyHash = createHash('sha256').update(key).digest('hex');
    const params = [keyHash, now + ttlMs, now, now];
    type Row = { hits: number | string; window_ends_at: number | string };
    const toState = (row: Row): CounterState => ({ hits: Number(row.hits), windowEndsAt: Number(row.window_ends_at) });
    // SQLite: one statement (RETURNING); its single writer makes it atomic, and it allows no nested transactions.
    if (!this.mysql)
      return this.dataSource
        .query(`${this.upsertSql()} RETURNING hits, window_ends_at`, params)
        .then((rows: Row[]) => toState(rows[0]!));
    return this.dataSource.query(this.upsertSql(), params).then(async (result: { insertId: number | string }) => {
      const hits = Math.max(1, Number(result.insertId));
      if (hits === 1) return { hits, windowEndsAt: now + ttlMs };
      if (hits <= limit) return { hits, windowEndsAt: undefined };
      // Refused: how long until the window ends (a later hit may have started a new one since: it is advice).
      const rows: Row[] = await this.dataSource.query(
        'SELECT hits, window_ends_at FROM rate_limit_counters WHERE key_hash = ?',
        [keyHash],
      );
      return { hits, windowEndsAt: rows[0] ? Number(rows[0].window_ends_at) : now + ttlMs };
    });
  }

  /** Deletes counters whose window ended before `before`; returns how many. */
  async deleteEndedBefore(before: number): Promise<number> {
    const result = await this.dataSource
      .createQueryBuilder()
      .delete()
      .from('rate_limit_counters')
      .where('window_ends_at < :before', { before })
      .execute();
    return result.affected ?? 0;
  }

  // Dialect SQL: an atomic "new window or one more hit" has no portable TypeORM form (orUpdate copies values only).
  private upsertSql(): string {
    // MySQL evaluates ON DUPLICATE KEY assignments left to right: hits is computed before window_ends_at changes.
    if (this.mysql)
      return `INSERT INTO rate_limit_counters (key_hash, hits, window_ends_at) VALUES (?, 1, ?)
        ON DUPLICATE KEY UPDATE
          hits = LAST_INSERT_ID(IF(window_ends_at <= ?, 1, hits + 1)),
          window_ends_at = IF(window_ends_at <= ?, VALUES(window_ends_at), window_ends_at)`;
    return `INSERT INTO rate_limit_counters (key_hash, hits, window_ends_at) VALUES (?, 1, ?)
      ON CONFLICT (key_hash) DO UPDATE SET
        hits = CASE WHEN rate_limit_counters.window_ends_at <= ? THEN 1 ELSE rate_limit_counters.hits + 1 END,
        window_ends_at = CASE WHEN rate_limit_counters.window_ends_at <= ? THEN excluded.window_ends_at
          ELSE rate_limit_counters.window_ends_at END`;
  }
}
