export interface PushCounts {
  sent: number;
  failed: number;
  staleRemoved: number;
  retries: number;
}

/** How one push (one event to one connection) ended, after any retries. */
export const PUSH_OUTCOMES = ['delivered', 'gone', 'forbidden', 'throttled', 'too-large', 'failed'] as const;
export type PushOutcome = (typeof PUSH_OUTCOMES)[number];

/** Why a push was tried again. */
export const PUSH_RETRY_REASONS = ['throttled', 'failed'] as const;
export type PushRetryReason = (typeof PUSH_RETRY_REASONS)[number];

/**
 * This process's push counters since it started: GET /metrics reports them per process; PushCounterStore adds
 * sent / failed / staleRemoved / retries to the shared row that GET /admin/stats reads.
 */
export class PushStats {
  sent = 0;
  failed = 0;
  staleRemoved = 0;
  retries = 0;
  readonly outcomes: Record<PushOutcome, number> = {
    delivered: 0,
    gone: 0,
    forbidden: 0,
    throttled: 0,
    'too-large': 0,
    failed: 0,
  };
  readonly retriesBy: Record<PushRetryReason, number> = { throttled: 0, failed: 0 };

  /** `sent` and `failed` of /admin/stats follow from the outcome: gone and forbidden connections are stale, not failures. */
  recordOutcome(outcome: PushOutcome): void {
    this.outcomes[outcome]++;
    if (outcome === 'delivered') this.sent++;
    else if (outcome !== 'gone' && outcome !== 'forbidden') this.failed++;
  }

  /** A 403 that means our own credentials are wrong, not a stale connection: forbidden for the operator, and a failure. */
  recordRefusedCredentials(): void {
    this.outcomes.forbidden++;
    this.failed++;
  }

  recordRetry(reason: PushRetryReason): void {
    this.retriesBy[reason]++;
    this.retries++;
  }

  snapshot(): PushCounts {
    return { sent: this.sent, failed: this.failed, staleRemoved: this.staleRemoved, retries: this.retries };
  }
}
