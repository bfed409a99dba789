import type { WebSocketEvent } from '@gavel/contracts';
import { buildRequestContext, type ConnectionFacts } from './request-context.js';

/** A DISCONNECT event: AWS sends stub headers and the close code / reason in the request context. */
export function buildDisconnectEvent(facts: ConnectionFacts, statusCode: number, reason: string): WebSocketEvent {
  const headers: Record<string, string> = {
    Host: facts.domainName,
    'x-api-key': '',
    'X-Forwarded-For': '',
    'x-restapi': '',
  };
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) multiValueHeaders[name] = [value];
  const requestContext = buildRequestContext(facts, '$disconnect', 'DISCONNECT', null);
  requestContext.disconnectStatusCode = statusCode;
  requestContext.disconnectReason = reason;
  return { headers, multiValueHeaders, requestContext, isBase64Encoded: false };
}
