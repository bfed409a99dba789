import { NotFoundError } from '../../common/errors.js';

export class NotificationRecipientNotFoundError extends NotFoundError {
  constructor(userId: number | string) {
    super('USER_NOT_FOUND', `User ${userId} not found`);
  }
}
