import { AWS_LIMITS } from '@gavel/contracts';

/** API Gateway's WebSocket quotas, and the local gateway's own resource bounds; each can be lowered for tests. */
export interface GatewayLimits {
  /** One client frame; larger closes the connection with 1009. */
  maxFrameBytes: number;
  /** One client message (frames reassembled) and one PostToConnection body (larger: 413). */
  maxMessageBytes: number;
  /** No message from the client for this long closes with 1001 "Going away". */
  idleTimeoutMs: number;
  /** A connection older than this is closed with 1001 "Going away". */
  maxConnectionDurationMs: number;
  /** A route handler slower than this makes the client get "Internal server error". */
  integrationTimeoutMs: number;
  /** New connections per second; over it the handshake is answered 429. */
  newConnectionsPerSecond: number;
  /**
   * Bytes queued towards one client (not yet taken by the network) above which PostToConnection answers
   * 429 LimitExceededException, as AWS does when a client does not read fast enough. A frame of the
   * gateway's own (a route's answer, an error frame) that would pass it closes the connection at once.
   */
  maxBufferedBytes: number;
  /**
   * A client still holding more than half of `maxBufferedBytes` unread this long after a push to it
   * was refused is closed (1008 "Policy Violation"; `$disconnect` fires).
   */
  slowReaderTimeoutMs: number;
  /**
   * Client messages waiting for their route (routes run one at a time per connection): over either
   * bound a message is not routed and the client gets `{"message":"Too Many Requests",…}`.
   */
  maxQueuedMessages: number;
  maxQueuedBytes: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  ...AWS_LIMITS,
  maxBufferedBytes: 16 * 1024 * 1024,
  slowReaderTimeoutMs: 10_000,
  maxQueuedMessages: 1_000,
  maxQueuedBytes: 1024 * 1024,
};

/**
 * The first combination of limits that cannot work, as the limit to blame and why; undefined when
 * they fit together. Each bound that holds messages must hold at least one of the largest.
 */
export function limitsConflict(limits: GatewayLimits): { limit: keyof GatewayLimits; problem: string } | undefined {
  for (const [name, value] of Object.entries(limits) as Array<[keyof GatewayLimits, number]>) {
    if (!Number.isSafeInteger(value) || value <= 0)
      return { limit: name, problem: `must be a positive integer (got ${value})` };
  }
  if (limits.maxFrameBytes > limits.maxMessageBytes)
    return { limit: 'maxFrameBytes', problem: `must not exceed the message limit (${limits.maxMessageBytes})` };
  for (const name of ['maxBufferedBytes', 'maxQueuedBytes'] as const) {
    if (limits[name] < limits.maxMessageBytes)
      return { limit: name, problem: `must hold at least one whole message (${limits.maxMessageBytes} bytes)` };
  }
  return undefined;
}

/** The limits in force: AWS's defaults overridden by `overrides`; throws when they do not fit together. */
export function resolveLimits(overrides: Partial<GatewayLimits> = {}): GatewayLimits {
  const limits: GatewayLimits = { ...DEFAULT_LIMITS, ...overrides };
  const conflict = limitsConflict(limits);
  if (conflict) throw new RangeError(`gateway limit ${conflict.limit} ${conflict.problem}`);
  return limits;
}
