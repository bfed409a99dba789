import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface CounterState {
  /** Hits in the current window, this one included. */
  hits: number;
  /** When the current window ends (ms since the epoch). */
  windowEndsAt: number;
}

/**
 * The rate limits' counters in the database, so that every API copy counts against the same window.
 * One hit is one upsert and one read of its result: in a transaction on MySQL (the upsert's row lock
 * makes the read see exactly the count this hit produced), one statement with RETURNING on SQLite.
 */
@Injectable()
export class RateLimitCounterRepository {
  private readonly mysql: boolean;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    const type = dataSource.options.type;
    this.mysql = type === 'mysql' || type === 'mariadb';
  }

  /** Counts one hit for `key`; a window of `ttlMs` starts with the first hit after the previous one ended. */
  hit(key: string, ttlMs: number, now = Date.now()): Promise<CounterState> {
    const keyHash = createHash('sha256').update(key).digest('hex');
    const params = [keyHash, now + ttlMs, now, now];
    type Row = { hits: number | string; window_ends_at: number | string };
    const toState = (row: Row): CounterState => ({ hits: Number(row.hits), windowEndsAt: Number(row.window_ends_at) });
    // SQLite: one statement (RETURNING); its single writer makes it atomic, and it allows no nested transactions.
    if (!this.mysql)
      return this.dataSource
        .query(`${this.upsertSql()} RETURNING hits, window_ends_at`, params)
        .then((rows: Row[]) => toState(rows[0]!));
    return this.dataSource.transaction(async (manager) => {
      await manager.query(this.upsertSql(), params);
      const rows: Row[] = await manager.query(
        'SELECT hits, window_ends_at FROM rate_limit_counters WHERE key_hash = ?',
        [keyHash],
      );
      return toState(rows[0]!);
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
          hits = IF(window_ends_at <= ?, 1, hits + 1),
          window_ends_at = IF(window_ends_at <= ?, VALUES(window_ends_at), window_ends_at)`;
    return `INSERT INTO rate_limit_counters (key_hash, hits, window_ends_at) VALUES (?, 1, ?)
      ON CONFLICT (key_hash) DO UPDATE SET
        hits = CASE WHEN rate_limit_counters.window_ends_at <= ? THEN 1 ELSE rate_limit_counters.hits + 1 END,
        window_ends_at = CASE WHEN rate_limit_counters.window_ends_at <= ? THEN excluded.window_ends_at
          ELSE rate_limit_counters.window_ends_at END`;
  }
}
