import type { ServerResponse } from 'node:http';
import { newManagementRequestId } from '../ids.js';

export type ManagementErrorType =
  | 'GoneException'
  | 'ForbiddenException'
  | 'PayloadTooLargeException'
  | 'LimitExceededException'
  | 'BadRequestException';

const EMPTY = Buffer.alloc(0);

/**
 * Answers like the management API. Errors carry `x-amzn-ErrorType`, which is where SDK v3 looks first
 * for the error code — without it a 410 is not a `GoneException`. A 410 has an empty body on AWS
 * (SDKs report its message as null); the others carry `{"message": …}`.
 */
export function sendError(
  res: ServerResponse,
  status: number,
  type: ManagementErrorType,
  message: string | null,
): void {
  const body = message === null ? EMPTY : Buffer.from(JSON.stringify({ message }));
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': body.length,
    'x-amzn-RequestId': newManagementRequestId(),
    'x-amzn-ErrorType': type,
  });
  res.end(body);
}

export function sendEmpty(res: ServerResponse, status: 200 | 204): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': 0,
    'x-amzn-RequestId': newManagementRequestId(),
  });
  res.end();
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': body.length,
    'x-amzn-RequestId': newManagementRequestId(),
  });
  res.end(body);
}
