import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { AWS_LIMITS } from '@gavel/contracts';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { SocketConnectionRepository } from '../socket-connection/socket-connection.repository.js';

/**
 * Every minute: removes connection rows older than API Gateway's maximum connection duration (the
 * gateway has closed them, and `$disconnect` is best effort) and idempotency keys past their 24 h.
 */
@Injectable()
export class HousekeepingSweeper {
  private readonly logger = new Logger(HousekeepingSweeper.name);

  constructor(
    private readonly connections: SocketConnectionRepository,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Interval('housekeeping', 60_000)
  async tick(): Promise<void> {
    try {
      await this.sweep();
    } catch (error) {
      this.logger.error(`Housekeeping failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async sweep(now = new Date()): Promise<{ connections: number; idempotencyKeys: number }> {
    const connections = await this.connections.deleteCreatedBefore(
      new Date(now.getTime() - AWS_LIMITS.maxConnectionDurationMs),
    );
    const idempotencyKeys = await this.idempotency.deleteExpired(now);
    if (connections || idempotencyKeys)
      this.logger.log(
        `Removed ${connections} expired connection row(s), ${idempotencyKeys} expired idempotency key(s)`,
      );
    return { connections, idempotencyKeys };
  }
}
