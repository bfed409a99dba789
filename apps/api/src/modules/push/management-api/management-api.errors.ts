import {
  ApiGatewayManagementApiServiceException,
  ForbiddenException,
  GoneException,
  LimitExceededException,
  PayloadTooLargeException,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ResponseMetadata } from '@smithy/types';

/**
 * What one PostToConnection did, in Gavel's terms; no SDK type leaves this folder. `detail` is the
 * error's "name: message", for logs.
 */
export type PostOutcome =
  | { readonly kind: 'delivered' }
  /** 410: the connection is closed or never existed. */
  | { readonly kind: 'gone'; readonly detail: string }
  /**
   * 403: this connection refused (e.g. not this API's), or our credentials are wrong. `named` says the
   * answer carried the ForbiddenException code; only those count towards PushService's bad-credentials
   * alarm, a bare 403 status does not.
   */
  | { readonly kind: 'forbidden'; readonly named: boolean; readonly detail: string }
  /** 429: throttled, or the client's buffer is full. */
  | { readonly kind: 'throttled'; readonly detail: string }
  /** 413: the data is over 128 KB. */
  | { readonly kind: 'too-large'; readonly detail: string }
  /** A 5xx or no answer at all (refused, reset, timed out): `retryable`. Any other 4xx: not. */
  | { readonly kind: 'failed'; readonly retryable: boolean; readonly detail: string };

export const DELIVERED: PostOutcome = Object.freeze({ kind: 'delivered' });

/**
 * Classifies by the SDK v3 exception classes and `$metadata.httpStatusCode` (SDK v3 errors have no
 * `statusCode`, which is what AWS's own chat sample checks, always in vain).
 */
export function postOutcomeOf(error: unknown): PostOutcome {
  const detail = describe(error);
  if (error instanceof GoneException) return { kind: 'gone', detail };
  if (error instanceof ForbiddenException) return { kind: 'forbidden', named: true, detail };
  if (error instanceof LimitExceededException) return { kind: 'throttled', detail };
  if (error instanceof PayloadTooLargeException) return { kind: 'too-large', detail };
  if (error instanceof ApiGatewayManagementApiServiceException) {
    const status = error.$metadata?.httpStatusCode ?? 0;
    if (status === 410) return { kind: 'gone', detail };
    if (status === 403) return { kind: 'forbidden', named: false, detail };
    if (status === 429) return { kind: 'throttled', detail };
    if (status === 413) return { kind: 'too-large', detail };
    return { kind: 'failed', retryable: status >= 500, detail };
  }
  // Not a service answer at all: connection refused or reset, a timeout. The gateway may be restarting.
  return { kind: 'failed', retryable: true, detail };
}

/** GetConnection / DeleteConnection: only the SDK's GoneException means "no such connection". */
export function isGone(error: unknown): boolean {
  return error instanceof GoneException;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
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
export function managementApiError(
  statusCode: number,
  headers: Record<string, string>,
  body: Uint8Array,
): ApiGatewayManagementApiServiceException {
  let parsed: Record<string, unknown>;
  try {
    parsed = body.length > 0 ? (JSON.parse(Buffer.from(body).toString('utf8')) as Record<string, unknown>) : {};
  } catch {
    parsed = {};
  }
  const rawCode =
    headers['x-amzn-errortype'] ?? (parsed.code as string | undefined) ?? (parsed.__type as string | undefined) ?? '';
  const code = sanitizeErrorCode(rawCode);
  const message = String(parsed.message ?? parsed.Message ?? code ?? 'Unknown');
  const $metadata: ResponseMetadata = {
    httpStatusCode: statusCode,
    requestId: headers['x-amzn-requestid'] ?? headers['x-amz-request-id'],
    attempts: 1,
    totalRetryDelay: 0,
  };
  const Exception = exceptionsByName[code as keyof typeof exceptionsByName];
  if (Exception)
    return new Exception({
      $metadata,
      message,
      ...(code === 'PayloadTooLargeException' ? { Message: message } : {}),
    } as never);
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
