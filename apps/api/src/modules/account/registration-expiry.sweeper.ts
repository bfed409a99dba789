import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import type { AuthExpiredEvent } from '@gavel/contracts';
import { PushService } from '../push/push.service.js';
import { SocketConnectionRepository } from '../socket-connection/socket-connection.repository.js';

/** Expired registrations handled per tick at most; the next tick takes the rest. */
const BATCH = 500;

/**
 * Contract §5 "Registration lifetime": a connection is registered until its token's `exp`. Every second
 * this finds rows past it, claims each (a DELETE that only succeeds while the row is still expired, so
 * with several API copies exactly one handles it, and a fresh `auth` that extended it wins), sends
 * `auth.expired` and closes the connection (DeleteConnection). Pushes already skip expired rows.
 */
@Injectable()
export class RegistrationExpirySweeper {
  private readonly logger = new Logger(RegistrationExpirySweeper.name);
  private running = false;

  constructor(
    private readonly connections: SocketConnectionRepository,
    private readonly sockets: PushService,
  ) {}

  @Interval('registration-expiry', 1_000)
  async tick(): Promise<void> {
    // One sweep at a time per process: a slow gateway must not pile ticks up.
    if (this.running) return;
    this.running = true;
    try {
      await this.sweep();
    } catch (error) {
      this.logger.error(`Registration expiry sweep failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.running = false;
    }
  }

  /** Returns how many connections this call expired. */
  async sweep(now = new Date()): Promise<number> {
    const due = await this.connections.findExpired(now, BATCH);
    let expired = 0;
    await Promise.all(
      due.map(async (row) => {
        if (!(await this.connections.claimExpired(row.connectionId, now))) return;
        expired++;
        const event: AuthExpiredEvent = { type: 'auth.expired', data: { expiredAt: row.expiresAt.toISOString() } };
        // In the user's lane: after every push queued before it, and nothing of the user's after it.
        await this.sockets.sendToConnection(row.connectionId, event, row.userId);
        await this.sockets.closeConnection(row.connectionId);
      }),
    );
    return expired;
  }
}
