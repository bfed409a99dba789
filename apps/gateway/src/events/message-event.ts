import type { WebSocketEvent } from '../../../../lambdas/shared/websocket-event.js';
import { newAwsId } from '../ids.js';
import { buildRequestContext, type ConnectionFacts } from './request-context.js';

/** A MESSAGE event: no headers; binary frames arrive base64-encoded with `isBase64Encoded: true`. */
export function buildMessageEvent(facts: ConnectionFacts, routeKey: string, body: string, isBase64Encoded: boolean): WebSocketEvent {
  return {
    requestContext: buildRequestContext(facts, routeKey, 'MESSAGE', newAwsId()),
    body,
    isBase64Encoded,
  };
}
