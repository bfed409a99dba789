/**
 * Route `unsubscribe` (two-way): asks the API to end this connection's subscription to an auction and
 * answers the API's `unsubscribed` frame (also when it was not subscribed).
 */
import type { UnsubscribedEvent } from '@gavel/contracts';
import { lambdaApiClient } from '../shared/api-client.js';
import { handleSubscriptionRoute } from '../shared/subscription-route.js';
import type { WebSocketEvent, WebSocketResult } from '@gavel/contracts';

const api = lambdaApiClient();

export function handler(event: WebSocketEvent): Promise<WebSocketResult> {
  return handleSubscriptionRoute(event, {
    action: 'unsubscribe',
    method: 'DELETE',
    api,
    onSuccess: (body) => ({ statusCode: 200, body: JSON.stringify(body as UnsubscribedEvent) }),
  });
}
