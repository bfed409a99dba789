/**
 * The Lambda proxy event API Gateway WebSocket APIs send, as AWS really sends it.
 * @types/aws-lambda's context type lacks `identity`, `authorizer` and the `disconnect*` fields and
 * types `messageId` as always present, so it is extended here rather than cast.
 */
import type {
  APIGatewayEventWebsocketRequestContextV2,
  APIGatewayProxyWebsocketEventV2WithRequestContext,
  Context,
} from 'aws-lambda';

export interface WebSocketIdentity {
  sourceIp: string;
  userAgent: string;
}

export interface WebSocketRequestContext extends Omit<APIGatewayEventWebsocketRequestContextV2, 'messageId'> {
  /** null on CONNECT and DISCONNECT. */
  messageId: string | null;
  identity: WebSocketIdentity;
  authorizer?: Record<string, unknown>;
  /** DISCONNECT only: the WebSocket close code (1000, 1001, 1006, 1009…) and reason. */
  disconnectStatusCode?: number;
  disconnectReason?: string;
}

export interface WebSocketEvent extends APIGatewayProxyWebsocketEventV2WithRequestContext<WebSocketRequestContext> {
  /** CONNECT (the handshake's headers) and DISCONNECT (stub headers) only. */
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
}

/** What a WebSocket route's Lambda returns (proxy integration). */
export interface WebSocketResult {
  statusCode?: number;
  body?: string;
  headers?: Record<string, string>;
  isBase64Encoded?: boolean;
}

export type WebSocketHandler = (event: WebSocketEvent, context: Context) => Promise<WebSocketResult | undefined | void>;
