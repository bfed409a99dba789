import { describe, expect, it } from '@jest/globals';
import { AWS_LIMITS } from '@gavel/contracts';
import type { IdempotencyService } from '../idempotency/idempotency.service.js';
import type { SocketConnectionRepository } from '../socket-connection/socket-connection.repository.js';
import { HousekeepingSweeper } from './housekeeping.sweeper.js';

describe(HousekeepingSweeper.name, () => {
  it("removes connection rows older than API Gateway's maximum connection duration and expired idempotency keys", async () => {
    const now = new Date('2026-01-01T12:00:00Z');
    const calls: string[] = [];
    const connections = {
      deleteCreatedBefore: async (before: Date) => (calls.push(`connections < ${before.toISOString()}`), 3),
    } as unknown as SocketConnectionRepository;
    const idempotency = {
      deleteExpired: async (at: Date) => (calls.push(`keys at ${at.toISOString()}`), 2),
    } as unknown as IdempotencyService;
    expect(await new HousekeepingSweeper(connections, idempotency).sweep(now)).toEqual({
      connections: 3,
      idempotencyKeys: 2,
    });
    expect(AWS_LIMITS.maxConnectionDurationMs).toBe(2 * 3_600_000);
    expect(calls).toEqual(['connections < 2026-01-01T10:00:00.000Z', 'keys at 2026-01-01T12:00:00.000Z']);
  });
});
