import { AWS_LIMITS } from '../../../libs/contracts/src/index.js';

/** API Gateway's WebSocket quotas; each one can be lowered for tests. */
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
   * Bytes queued towards one client above which PostToConnection answers 429
   * LimitExceededException, as AWS does when a client does not read fast enough.
   */
  maxBufferedBytes: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  ...AWS_LIMITS,
  maxBufferedBytes: 16 * 1024 * 1024,
};
