export const ROLES = ['user', 'premium', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated caller, as guards put it on the request and `@CurrentUser()` hands it out. */
export interface AuthUser {
  id: number;
  email: string;
  /** As loaded with the user by the JWT strategy (the name other users see on a bid). */
  displayName: string;
  roles: Role[];
}

/**
 * What the JWT guard puts on the request of a `@TokenSubjectOnly()` route: the verified token's user id,
 * not yet checked against the database (the handler does that atomically with its write).
 */
export interface TokenSubject {
  id: number;
  tokenOnly: true;
  /** The token's `ver` claim (0 when absent), for the handler to check against users.token_version. */
  tokenVersion: number;
  /** The token's `exp`, when it has one. */
  expiresAt?: Date;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
