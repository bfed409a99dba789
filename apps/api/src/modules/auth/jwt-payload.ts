import type { Role } from '../../common/auth-user.js';

/** Claims of Gavel's access tokens. `sub` is the user id as a string (RFC 7519 §4.1.2). */
export interface JwtPayload {
  sub: string;
  roles: Role[];
  email: string;
  /** The user's token_version when the token was issued: a later version (sign out everywhere, block) revokes it. */
  ver: number;
  /** Set by the signer (seconds since the epoch). */
  exp?: number;
}
