import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { PushCounts } from './push-stats.js';

/** The one row of push_counters: every API copy's counts, added in batches. */
@Injectable()
export class PushCounterRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Adds the counts in one UPDATE (atomic on both databases, whatever the other copies do meanwhile). */
  async add(counts: PushCounts): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .update('push_counters')
      .set({
        sent: () => `sent + ${Math.trunc(counts.sent)}`,
        failed: () => `failed + ${Math.trunc(counts.failed)}`,
        stale_removed: () => `stale_removed + ${Math.trunc(counts.staleRemoved)}`,
        retries: () => `retries + ${Math.trunc(counts.retries)}`,
      })
      .where('id = 1')
      .execute();
  }

  async read(): Promise<PushCounts> {
    const rows: Array<Record<string, number | string>> = await this.dataSource.query(
      'SELECT sent, failed, stale_removed, retries FROM push_counters WHERE id = 1',
    );
    const row = rows[0] ?? {};
    return {
      sent: Number(row.sent ?? 0),
      failed: Number(row.failed ?? 0),
      staleRemoved: Number(row.stale_removed ?? 0),
      retries: Number(row.retries ?? 0),
    };
  }
}
