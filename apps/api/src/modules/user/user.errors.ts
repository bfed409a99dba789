import { ConflictError, NotFoundError } from '../../common/errors.js';

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
