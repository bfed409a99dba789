import { BadRequestError, ConflictError, DomainError, NotFoundError, UnprocessableError } from '../../common/errors.js';

export class AuctionNotFoundError extends NotFoundError {
  constructor(id: number) {
    super('AUCTION_NOT_FOUND', `Auction ${id} not found`);
  }
}

export class AuctionNotOpenError extends UnprocessableError {
  constructor(id: number) {
    super('AUCTION_NOT_OPEN', `Auction ${id} is not open for bids`);
  }
}

export class BidTooLowError extends ConflictError {
  override readonly details: { currentPriceCents: number };
  constructor(readonly currentPriceCents: number) {
    super('BID_TOO_LOW', `Bid must be above the current price of ${currentPriceCents} cents`);
    // Machine-readable for clients, so they need not parse the message.
    this.details = { currentPriceCents };
  }
}

export class EndsAtInPastError extends BadRequestError {
  constructor() {
    super('ENDS_AT_IN_PAST', 'endsAt must be in the future');
  }
}

/** Only under extreme contention between several API processes; the client may simply retry. */
export class AuctionBusyError extends DomainError {
  readonly status = 503;
  constructor() {
    super('AUCTION_BUSY', 'Too many concurrent bids on this auction; try again');
  }
}
