/**
 * Domain errors: services throw these, never HTTP exceptions. The one exception filter
 * (`http-exception.filter.ts`) turns them into Nest's `{statusCode, message, error}`.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  /** Extra fields for the error body, beside the contract's three (e.g. a 409's `currentPriceCents`). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Sent as the `Retry-After` header (seconds), for 429 and 503 answers. */
  readonly retryAfterSeconds?: number;
  /** Machine-readable code, e.g. `EMAIL_TAKEN`; also used in logs. */
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends DomainError {
  readonly status = 400;
}
export class UnauthorizedError extends DomainError {
  readonly status = 401;
}
export class ForbiddenError extends DomainError {
  readonly status = 403;
}
export class NotFoundError extends DomainError {
  readonly status = 404;
}
export class ConflictError extends DomainError {
  readonly status = 409;
}
export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
}
export class UnprocessableError extends DomainError {
  readonly status = 422;
}
export class TooManyRequestsError extends DomainError {
  readonly status = 429;
}
/** Overloaded, not broken: answered with `Retry-After`, and logged as a warning rather than an error. */
export class ServiceUnavailableError extends DomainError {
  readonly status = 503;
}
