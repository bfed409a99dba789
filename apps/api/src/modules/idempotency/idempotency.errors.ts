import { BadRequestError, ConflictError, UnprocessableError } from '../../common/errors.js';

export class InvalidIdempotencyKeyError extends BadRequestError {
  constructor() {
    super('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1-255 printable ASCII characters');
  }
}

export class IdempotencyKeyReusedError extends UnprocessableError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key was already used with a different request');
  }
}

export class IdempotencyKeyInProgressError extends ConflictError {
  constructor() {
    super('IDEMPOTENCY_KEY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed; retry later');
  }
}
