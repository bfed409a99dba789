import { NotFoundError } from '../../common/errors.js';

export class ConnectionNotFoundError extends NotFoundError {
  constructor(connectionId: string) {
    super('CONNECTION_NOT_FOUND', `Connection ${connectionId} not found`);
  }
}
