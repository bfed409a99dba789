import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { RateLimitCounterRepository } from './rate-limit-counter.repository.js';

/** Ended windows are kept this long before the sweep deletes them. */
const SWEEP_AFTER_MS = 60_000;

/**
 * Deletes the counters of ended windows once a minute. Every copy sweeps; the DELETE is idempotent.
 * (Its own class: the throttler re-registers its storage instance, whose @Interval would then be found twice.)
 */
@Injectable()
export class RateLimitSweeper {
  private readonly logger = new Logger(RateLimitSweeper.name);

  constructor(private readonly counters: RateLimitCounterRepository) {}

  @Interval('rate-limit-sweep', SWEEP_AFTER_MS)
  async sweep(): Promise<void> {
    await this.counters.deleteEndedBefore(Date.now() - SWEEP_AFTER_MS).catch((error: unknown) => {
      this.logger.warn(
        `Sweeping rate limit counters failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }
}
