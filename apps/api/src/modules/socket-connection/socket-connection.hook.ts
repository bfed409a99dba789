/**
 * Lets the push module react to a registered connection (send `auth.ok`, replay missed notifications)
 * without this module depending on it. Provide it from a @Global() module:
 * `{ provide: CONNECTION_REGISTERED_HOOK, useExisting: YourHook }` and export the token.
 */
export const CONNECTION_REGISTERED_HOOK = Symbol('CONNECTION_REGISTERED_HOOK');

export interface RegisteredConnection {
  connectionId: string;
  userId: number;
  /** The client's last seen notification id, as a string, when it sent one. */
  since?: string;
  /** false when the same user registered this id again (HTTP 200). */
  created: boolean;
  /**
   * The row's notifications_sent_after as registration read it (null: never welcomed); a hint the
   * welcome checks when it records a change. Omitted: unknown, read it.
   */
  notificationsSentAfter?: number | null;
}

export interface ConnectionRegisteredHook {
  /** Called after the HTTP answer is decided; never awaited by the request. May return a promise. */
  onRegistered(connection: RegisteredConnection): void | Promise<void>;
}

/**
 * Tells which connections the gateway no longer has and removes their rows (GetConnection → 410), so
 * rows of connections whose `$disconnect` never came (best effort on AWS too) do not count against
 * MAX_CONNECTIONS_PER_USER. Provided like the hook above: `{ provide: STALE_CONNECTION_PROBE, useExisting: … }`.
 */
export const STALE_CONNECTION_PROBE = Symbol('STALE_CONNECTION_PROBE');

export interface StaleConnectionProbe {
  /** Removes the rows of the ids the gateway answers 410 for; returns how many it removed. */
  removeGoneConnections(connectionIds: string[]): Promise<number>;
}
