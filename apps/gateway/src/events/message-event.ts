import type { WebSocketEvent } from '@gavel/contracts';
import { newAwsId } from '../ids.js';
import { buildRequestContext, type ConnectionFacts } from './request-context.js';

/** A MESSAGE event: no headers, the text frame as `body` (clients cannot send binary frames on AWS). */
export function buildMessageEvent(facts: ConnectionFacts, routeKey: string, body: string): WebSocketEvent {
  return {
    requestContext: buildRequestContext(facts, routeKey, 'MESSAGE', newAwsId()),
    body,
    isBase64Encoded: false,
  };
}
