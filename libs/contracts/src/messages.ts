/** Client → gateway messages (contract §5); route selection expression `$request.body.action`. */
export interface AuthMessage {
  action: 'auth';
  token: string;
  /** Id of the last notification the client saw; number or string. */
  since?: number | string;
}

export interface PingMessage {
  action: 'ping';
}

/** `subscribe` / `unsubscribe`: the auction id as a number or a string of digits. */
export interface SubscriptionMessage {
  action: 'subscribe' | 'unsubscribe';
  auctionId: number | string;
}

/** How many auctions one connection may watch at once (contract §5). */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 50;

export type ClientMessage = AuthMessage | SubscriptionMessage | PingMessage;

/** Parses a message body as JSON without throwing; returns undefined for anything that is not a JSON object. */
export function parseJsonObject(body: string | null | undefined): Record<string, unknown> | undefined {
  if (!body) return undefined;
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Validates an `auth` message; returns a reason string when it is malformed. */
export function validateAuthMessage(message: Record<string, unknown>): AuthMessage | string {
  const { token, since } = message;
  if (typeof token !== 'string' || token.length === 0) return 'token must be a non-empty string';
  if (token.length > 8192) return 'token is too long';
  if (since !== undefined && since !== null) {
    const ok =
      (typeof since === 'number' && Number.isSafeInteger(since) && since >= 0) ||
      (typeof since === 'string' && /^\d{1,18}$/.test(since));
    if (!ok) return 'since must be a non-negative integer id (number or string)';
    return { action: 'auth', token, since };
  }
  return { action: 'auth', token };
}

/** Validates a `subscribe` / `unsubscribe` message; returns a reason string when it is malformed. */
export function validateSubscriptionMessage(
  action: SubscriptionMessage['action'],
  message: Record<string, unknown>,
): SubscriptionMessage | string {
  const { auctionId } = message;
  const ok =
    (typeof auctionId === 'number' && Number.isSafeInteger(auctionId) && auctionId > 0) ||
    (typeof auctionId === 'string' && /^[1-9]\d{0,14}$/.test(auctionId));
  if (!ok) return 'auctionId must be a positive integer id (number or string)';
  return { action, auctionId };
}
