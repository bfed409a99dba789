import { BadRequestError, ConflictError, UnauthorizedError } from '../../common/errors.js';

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
