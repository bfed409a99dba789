import type { IncomingMessage } from 'node:http';
import type { WebSocketEvent } from '@gavel/contracts';
import { buildRequestContext, type ConnectionFacts } from './request-context.js';

/**
 * The `$connect` event: the handshake's headers (and multi-value headers) with the original casing,
 * the query string, `messageId: null`. Like API Gateway, the edge adds X-Forwarded-* headers.
 */
export function buildConnectEvent(
  facts: ConnectionFacts,
  request: IncomingMessage,
  query: URLSearchParams,
): WebSocketEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const raw = request.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    if (/^x-forwarded-/i.test(name)) continue; // the edge sets these itself
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const forwarded: Record<string, string> = {
    'X-Forwarded-For': facts.identity.sourceIp,
    'X-Forwarded-Port': String(request.socket.localPort ?? ''),
    'X-Forwarded-Proto': 'http',
  };
  for (const [name, value] of Object.entries(forwarded)) {
    headers[name] = value;
    multiValueHeaders[name] = [value];
  }

  const event: WebSocketEvent = {
    headers,
    multiValueHeaders,
    requestContext: buildRequestContext(facts, '$connect', 'CONNECT', null),
    isBase64Encoded: false,
  };
  const keys = [...new Set(query.keys())];
  if (keys.length > 0) {
    event.queryStringParameters = {};
    event.multiValueQueryStringParameters = {};
    for (const key of keys) {
      const values = query.getAll(key);
      event.queryStringParameters[key] = values[values.length - 1];
      event.multiValueQueryStringParameters[key] = values;
    }
  }
  return event;
}
