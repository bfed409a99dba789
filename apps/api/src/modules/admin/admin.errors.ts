import { DomainError, NotFoundError } from '../../common/errors.js';

export class ConnectionNotFoundError extends NotFoundError {
  constructor(connectionId: string) {
    super('CONNECTION_NOT_FOUND', `Connection ${connectionId} not found`);
  }
}

/** The management API failed (unreachable, throttled, credentials refused): not the admin's fault, not a bug of ours. */
export class ManagementApiUnavailableError extends DomainError {
  readonly status = 502;
  constructor(cause: unknown) {
    super(
      'MANAGEMENT_API_UNAVAILABLE',
      `API Gateway's management API did not answer as expected (${cause instanceof Error ? cause.name : 'error'}); try again`,
    );
  }
}
