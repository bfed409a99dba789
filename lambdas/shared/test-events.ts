/** Lambda events for the handlers' unit tests, shaped like the ones API Gateway sends. */
import type { WebSocketEvent } from '@gavel/contracts';

export function messageEvent(
  body: string | undefined,
  overrides: { connectionId?: string; routeKey?: string; isBase64Encoded?: boolean } = {},
): WebSocketEvent {
  return {
    requestContext: {
      routeKey: overrides.routeKey ?? '$default',
      messageId: 'TWef3dQSIAMCJfQ=',
      eventType: 'MESSAGE',
      extendedRequestId: 'TWegAcC4IAMFdgg=',
      requestTime: '20/Jan/2024:11:55:00 +0000',
      messageDirection: 'IN',
      stage: 'dev',
      connectedAt: 1705751700000,
      requestTimeEpoch: 1705751700574,
      identity: { sourceIp: '203.0.113.7', userAgent: 'Mozilla/5.0 (test)' },
      requestId: 'TWegAcC4IAMFdgg=',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      connectionId: overrides.connectionId ?? 'R1kmxc2VNj+/FIA=',
      apiId: 'abc123defg',
    },
    body,
    isBase64Encoded: overrides.isBase64Encoded ?? false,
  };
}

export function disconnectEvent(connectionId: string): WebSocketEvent {
  const event = messageEvent(undefined, { connectionId, routeKey: '$disconnect' });
  event.requestContext.eventType = 'DISCONNECT';
  event.requestContext.messageId = null;
  event.requestContext.disconnectStatusCode = 1001;
  event.requestContext.disconnectReason = 'Going away';
  return event;
}
