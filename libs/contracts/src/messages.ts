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

export type ClientMessage = AuthMessage | PingMessage;

/** Parses a message body as JSON without throwing; returns undefined for anything that is not a JSON object. */
export function parseJsonObject(body: string | null | undefined): Record<string, unknown> | undefined {
  if (!body) return undefined;
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
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
