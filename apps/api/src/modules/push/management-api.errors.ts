import {
  ApiGatewayManagementApiServiceException,
  ForbiddenException,
  GoneException,
  LimitExceededException,
  PayloadTooLargeException,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ResponseMetadata } from '@smithy/types';

/** What a failed management call means for the connection row and for the caller. */
export type PushFailure =
  /** The connection is gone (410) or refused for good (403): delete that row. */
  | 'stale'
  /** Throttled (429), a 5xx or a network error: try again with backoff. */
  | 'retryable'
  /** Anything else (413 and other 4xx): count it, keep the row, do not retry. */
  | 'failed';

/**
 * Classifies by the SDK v3 exception classes and `$metadata.httpStatusCode` (SDK v3 errors have no
 * `statusCode`, which is what AWS's own chat sample checks, always in vain).
 */
export function classifyPushError(error: unknown): PushFailure {
  if (error instanceof GoneException || error instanceof ForbiddenException) return 'stale';
  if (error instanceof LimitExceededException) return 'retryable';
  if (error instanceof PayloadTooLargeException) return 'failed';
  if (error instanceof ApiGatewayManagementApiServiceException) {
    const status = error.$metadata?.httpStatusCode ?? 0;
    if (status === 410 || status === 403) return 'stale';
    if (status === 429 || status >= 500) return 'retryable';
    return 'failed';
  }
  // Not a service answer at all: connection refused or reset, a timeout. The gateway may be restarting.
  return 'retryable';
}

const exceptionsByName = {
  GoneException,
  ForbiddenException,
  LimitExceededException,
  PayloadTooLargeException,
} as const;

/**
 * Builds the SDK's own exception for an error answer, the way its deserializer does: the code comes
 * from `x-amzn-ErrorType` (text after `:` dropped), then the body's `code` / `__type`.
 */
export function managementApiError(statusCode: number, headers: Record<string, string>, body: Uint8Array): ApiGatewayManagementApiServiceException {
  let parsed: Record<string, unknown>;
  try {
    parsed = body.length > 0 ? (JSON.parse(Buffer.from(body).toString('utf8')) as Record<string, unknown>) : {};
  } catch {
    parsed = {};
  }
  const rawCode = headers['x-amzn-errortype'] ?? (parsed.code as string | undefined) ?? (parsed.__type as string | undefined) ?? '';
  const code = sanitizeErrorCode(rawCode);
  const message = String(parsed.message ?? parsed.Message ?? code ?? 'Unknown');
  const $metadata: ResponseMetadata = {
    httpStatusCode: statusCode,
    requestId: headers['x-amzn-requestid'] ?? headers['x-amz-request-id'],
    attempts: 1,
    totalRetryDelay: 0,
  };
  const Exception = exceptionsByName[code as keyof typeof exceptionsByName];
  if (Exception) return new Exception({ $metadata, message, ...(code === 'PayloadTooLargeException' ? { Message: message } : {}) } as never);
  return new ApiGatewayManagementApiServiceException({
    name: code || 'Unknown',
    $fault: statusCode >= 500 ? 'server' : 'client',
    $metadata,
    message,
  });
}

/** The SDK's own rule: drop what follows `,` or `:`, keep what follows `#` ("aws.protocols#GoneException"). */
function sanitizeErrorCode(raw: string): string {
  let code = raw.split(',')[0];
  code = code.split(':')[0];
  if (code.includes('#')) code = code.split('#')[1];
  return code.trim();
}
