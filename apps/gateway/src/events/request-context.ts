import type { WebSocketIdentity, WebSocketRequestContext } from '@gavel/contracts';
import { formatRequestTime } from '../aws-time.js';
import { newAwsId } from '../ids.js';

/** What every event of one connection shares. */
export interface ConnectionFacts {
  connectionId: string;
  connectedAt: number;
  identity: WebSocketIdentity;
  domainName: string;
  stage: string;
  apiId: string;
}

export function buildRequestContext(
  facts: ConnectionFacts,
  routeKey: string,
  eventType: WebSocketRequestContext['eventType'],
  messageId: string | null,
): WebSocketRequestContext {
  const now = Date.now();
  const requestId = newAwsId();
  // Key order follows real captures, so logged events read like AWS's.
  return {
    routeKey,
    messageId,
    eventType,
    extendedRequestId: requestId,
    requestTime: formatRequestTime(now),
    messageDirection: 'IN',
    stage: facts.stage,
    connectedAt: facts.connectedAt,
    requestTimeEpoch: now,
    identity: { userAgent: facts.identity.userAgent, sourceIp: facts.identity.sourceIp },
    requestId,
    domainName: facts.domainName,
    connectionId: facts.connectionId,
    apiId: facts.apiId,
  };
}
