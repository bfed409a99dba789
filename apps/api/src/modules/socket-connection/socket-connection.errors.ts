import { BadRequestError, ConflictError } from '../../common/errors.js';

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
