import { ConflictError, NotFoundError, ServiceUnavailableError } from '../../common/errors.js';

export class EmailTakenError extends ConflictError {
  constructor() {
    super('EMAIL_TAKEN', 'Email is already registered');
  }
}

export class UserNotFoundError extends NotFoundError {
  constructor(id: number | string) {
    super('USER_NOT_FOUND', `User ${id} not found`);
  }
}

/** Too many password checks queued (from this client, or in all): try again shortly. */
export class PasswordWorkBusyError extends ServiceUnavailableError {
  override readonly retryAfterSeconds = 1;
  constructor() {
    super('PASSWORD_WORK_BUSY', 'Too many sign-in attempts in progress, try again shortly');
  }
}
