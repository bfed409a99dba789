import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { isDatabaseUnavailable } from '../database/driver-errors.js';
import { DomainError, ServiceUnavailableError } from './errors.js';

export interface ErrorBody {
  [extra: string]: unknown;
  statusCode: number;
  message: string | string[];
  error: string;
}

/** "Not Found", "Payload Too Large", … from the status code. */
function reasonPhrase(status: number): string {
  const name = HttpStatus[status];
  if (!name) return 'Error';
  return name
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

/**
 * THE exception filter (APP_FILTER): every error leaves the API in Nest's `{statusCode, message, error}`
 * shape. Domain errors map by their status; HttpExceptions keep theirs; anything else is a 500 whose
 * details go to the log only, never to the client.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    // Shed load (a flood of logins) is the plan working: its request lines are enough, no line per refusal.
    if (exception instanceof ServiceUnavailableError) this.logger.debug(`${exception.code}: ${exception.message}`);
    else if (body.statusCode === 503)
      this.logger.warn(`database unavailable: ${exception instanceof Error ? exception.message : String(exception)}`);
    else if (body.statusCode >= 500)
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    if (response.headersSent) return;
    if (exception instanceof DomainError && exception.retryAfterSeconds !== undefined)
      response.setHeader('Retry-After', String(exception.retryAfterSeconds));
    response.status(body.statusCode).json(body);
  }

  toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) {
      return {
        ...exception.details,
        statusCode: exception.status,
        message: exception.message,
        error: reasonPhrase(exception.status),
      };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'string') return { statusCode, message: response, error: reasonPhrase(statusCode) };
      // Extra fields (e.g. the health check's `details`) stay; the three of the contract always win.
      const r = response as Partial<ErrorBody> & Record<string, unknown>;
      const message = typeof r.message === 'string' || Array.isArray(r.message) ? r.message : exception.message;
      return { ...r, statusCode, message, error: typeof r.error === 'string' ? r.error : reasonPhrase(statusCode) };
    }
    if (isDatabaseUnavailable(exception)) {
      return { statusCode: 503, message: 'Database unavailable, try again', error: 'Service Unavailable' };
    }
    // Errors raised by Express middleware (body parser: too large, malformed JSON) carry a status.
    const status = (exception as { status?: unknown; statusCode?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message =
        status === 413 ? 'Request body is too large' : status === 400 ? 'Malformed request body' : reasonPhrase(status);
      return { statusCode: status, message, error: reasonPhrase(status) };
    }
    return { statusCode: 500, message: 'Internal server error', error: 'Internal Server Error' };
  }
}
