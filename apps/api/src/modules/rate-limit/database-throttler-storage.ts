import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { RateLimitCounterRepository } from './rate-limit-counter.repository.js';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * @nestjs/throttler's storage in the database, so a limit holds across every API copy (contract §9)
 * rather than per process. Fixed windows that start with the first hit: `limit` hits per window, the
 * next ones refused until it ends (Retry-After = what is left of it).
 */
@Injectable()
export class DatabaseThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly counters: RateLimitCounterRepository) {}

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    const { hits, windowEndsAt } = await this.counters.hit(key, ttl, limit, now);
    // Unknown only for an allowed hit on MySQL; the guard sets no headers, so the window's length stands in.
    const secondsLeft = Math.max(1, Math.ceil(((windowEndsAt ?? now + ttl) - now) / 1000));
    const isBlocked = hits > limit;
    return { totalHits: hits, timeToExpire: secondsLeft, isBlocked, timeToBlockExpire: isBlocked ? secondsLeft : 0 };
  }
}
