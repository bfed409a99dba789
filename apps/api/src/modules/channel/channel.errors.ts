import { DomainError, UnauthorizedError } from '../../common/errors.js';

/** No registered connection with this id: the client has not sent `auth` (or its registration ended). */
export class ConnectionNotAuthenticatedError extends UnauthorizedError {
  constructor() {
    super('CONNECTION_NOT_AUTHENTICATED', 'Authenticate first: send {"action":"auth","token":"<JWT>"}');
  }
}

export class TooManySubscriptionsError extends DomainError {
  readonly status = 429;
  constructor(limit: number) {
    super('TOO_MANY_SUBSCRIPTIONS', `A connection watches at most ${limit} auctions; unsubscribe from one first`);
  }
}
