import { BadRequestError, ConflictError, TooManyRequestsError, UnauthorizedError } from '../../common/errors.js';

export class ConnectionHeldByAnotherUserError extends ConflictError {
  constructor() {
    super('CONNECTION_HELD', 'Connection id is registered to another user');
  }
}

export class InvalidCursorError extends BadRequestError {
  constructor() {
    super('INVALID_CURSOR', 'cursor is not a cursor returned by this API');
  }
}

/** The token verified, but its user no longer exists: the same 401 the JWT guard gives such a token elsewhere. */
export class TokenUserGoneError extends UnauthorizedError {
  constructor() {
    super('TOKEN_USER_GONE', 'Invalid token');
  }
}

/** MAX_CONNECTIONS_PER_USER reached: the `auth` Lambda turns this into `auth.error` 429. */
export class TooManyConnectionsError extends TooManyRequestsError {
  constructor(max: number) {
    super('TOO_MANY_CONNECTIONS', `A user may hold at most ${max} connections at once; close one first`);
  }
}

/** The token was issued before a sign-out everywhere, or its user is blocked. */
export class TokenRevokedError extends UnauthorizedError {
  constructor() {
    super('TOKEN_REVOKED', 'Token revoked');
  }
}

/** A repeated `auth` came after the connection's registration ran out (the expiry sweep is closing it). */
export class RegistrationExpiredError extends UnauthorizedError {
  constructor() {
    super('REGISTRATION_EXPIRED', 'The connection expired; connect again');
  }
}
