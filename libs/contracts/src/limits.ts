/** AWS API Gateway WebSocket quotas (docs: "Amazon API Gateway quotas for WebSocket APIs"). */
export const AWS_LIMITS = {
  /** A single WebSocket frame sent by a client. */
  maxFrameBytes: 32 * 1024,
  /** A whole message (frames reassembled) and a PostToConnection payload. */
  maxMessageBytes: 128 * 1024,
  idleTimeoutMs: 10 * 60 * 1000,
  maxConnectionDurationMs: 2 * 60 * 60 * 1000,
  integrationTimeoutMs: 29 * 1000,
  newConnectionsPerSecond: 500,
} as const;
