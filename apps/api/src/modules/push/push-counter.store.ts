import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { PushCounterRepository } from './push-counter.repository.js';
import { type PushCounts, PushStats } from './push-stats.js';

const FLUSH_INTERVAL_MS = 1_000;

const minus = (a: PushCounts, b: PushCounts): PushCounts => ({
  sent: a.sent - b.sent,
  failed: a.failed - b.failed,
  staleRemoved: a.staleRemoved - b.staleRemoved,
  retries: a.retries - b.retries,
});
const plus = (a: PushCounts, b: PushCounts): PushCounts => ({
  sent: a.sent + b.sent,
  failed: a.failed + b.failed,
  staleRemoved: a.staleRemoved + b.staleRemoved,
  retries: a.retries + b.retries,
});
const ZERO: PushCounts = { sent: 0, failed: 0, staleRemoved: 0, retries: 0 };

/**
 * GET /admin/stats' push counters over every API copy (contract §9). Each copy counts in memory
 * (PushStats, free per push) and adds what it counted since the last flush to the shared row once a
 * second and at shutdown: one UPDATE a second per copy, not one per push. A copy killed with SIGKILL
 * loses at most its last second of counts (the pushes themselves are not affected).
 */
@Injectable()
export class PushCounterStore implements BeforeApplicationShutdown {
  private readonly logger = new Logger(PushCounterStore.name);
  private flushed: PushCounts = { ...ZERO };
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly stats: PushStats,
    private readonly counters: PushCounterRepository,
  ) {}

  /** Every copy's flushed counts plus this copy's not yet flushed ones (in turn with flushes: nothing counted twice). */
  totals(): Promise<PushCounts> {
    const totals = this.flushing.then(async () => plus(await this.counters.read(), this.pending()));
    this.flushing = totals.then(
      () => undefined,
      () => undefined,
    );
    return totals;
  }

  @Interval('push-counter-flush', FLUSH_INTERVAL_MS)
  async flush(): Promise<void> {
    // One flush at a time: the counts taken are marked flushed only once the UPDATE succeeded.
    this.flushing = this.flushing.then(async () => {
      const delta = this.pending();
      if (Object.values(delta).every((n) => n === 0)) return;
      try {
        await this.counters.add(delta);
        this.flushed = plus(this.flushed, delta);
      } catch (error) {
        this.logger.warn(`Adding push counts failed (kept for the next flush): ${String(error)}`);
      }
    });
    return this.flushing;
  }

  /** After PushService drained its pushes (onModuleDestroy), before the database closes (onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private pending(): PushCounts {
    return minus(this.stats.snapshot(), this.flushed);
  }
}
