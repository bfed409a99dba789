import { Module } from '@nestjs/common';
import { DatabaseThrottlerStorage } from './database-throttler-storage.js';
import { RateLimitCounterRepository } from './rate-limit-counter.repository.js';
import { RateLimitSweeper } from './rate-limit.sweeper.js';

@Module({
  providers: [RateLimitCounterRepository, DatabaseThrottlerStorage, RateLimitSweeper],
  exports: [DatabaseThrottlerStorage],
})
export class RateLimitModule {}
