/**
 * What the `subscribe` and `unsubscribe` routes share: validate the message, call the API's
 * subscription endpoint for this connection with the gateway key, and turn a refusal into an
 * `error` frame (the route response) carrying the API's status and message.
 */
import {
  parseJsonObject,
  validateSubscriptionMessage,
  type ErrorEvent,
  type SubscriptionMessage,
} from '@gavel/contracts';
import { apiErrorMessage, ApiUnavailableError, type ApiClient, type ApiResponse } from './api-client.js';
import { ApiSettingsError } from './api-settings.js';
import type { WebSocketEvent, WebSocketResult } from '@gavel/contracts';

export interface SubscriptionRouteOptions {
  action: SubscriptionMessage['action'];
  method: 'PUT' | 'DELETE';
  api: (refresh?: boolean) => Promise<ApiClient>;
  /** The route response for a 2xx answer of the API (its parsed body is given). */
  onSuccess(body: unknown): WebSocketResult;
}

export async function handleSubscriptionRoute(
  event: WebSocketEvent,
  options: SubscriptionRouteOptions,
): Promise<WebSocketResult> {
  const { connectionId } = event.requestContext;
  const message = parseJsonObject(event.body);
  const request = message ? validateSubscriptionMessage(options.action, message) : 'the message must be a JSON object';
  if (typeof request === 'string') return errorFrame(400, `Invalid ${options.action} message: ${request}`);

  const path = `/socket-connections/${encodeURIComponent(connectionId)}/subscriptions/${encodeURIComponent(String(request.auctionId))}`;
  const call = async (refresh: boolean): Promise<ApiResponse> =>
    (await options.api(refresh)).request({ method: options.method, path });
  try {
    let response = await call(false);
    // 403 means the API refused our key: re-read the settings once, in case the key was just rotated.
    if (response.status === 403) response = await call(true);
    if (response.status >= 200 && response.status < 300) return options.onSuccess(response.body);
    return errorFrame(
      response.status,
      apiErrorMessage(response.body, `${options.action} failed (HTTP ${response.status})`),
    );
  } catch (error) {
    if (error instanceof ApiUnavailableError || error instanceof ApiSettingsError) {
      console.error(`${options.action} ${connectionId}: ${error.message}`);
      return errorFrame(503, 'Service unavailable, try again');
    }
    throw error;
  }
}

function errorFrame(status: number, message: string): WebSocketResult {
  return { statusCode: 200, body: JSON.stringify({ type: 'error', data: { status, message } } satisfies ErrorEvent) };
}
