/**
 * Route `subscribe` (two-way): asks the API to subscribe this connection to an auction. On success it
 * answers with no body: the API pushes the `subscribed` snapshot itself, in the auction's push lane,
 * so no bid of the auction can reach the client before it (a frame sent from here could be overtaken).
 * A refusal (401 not authenticated, 404, 429, 400) comes back as an `error` frame.
 */
import { lambdaApiClient } from '../shared/api-client.js';
import { handleSubscriptionRoute } from '../shared/subscription-route.js';
import type { WebSocketEvent, WebSocketResult } from '@gavel/contracts';

const api = lambdaApiClient();

export function handler(event: WebSocketEvent): Promise<WebSocketResult> {
  return handleSubscriptionRoute(event, {
    action: 'subscribe',
    method: 'PUT',
    api,
    onSuccess: () => ({ statusCode: 200 }),
  });
}
