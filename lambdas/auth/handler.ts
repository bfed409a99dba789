/**
 * Route `auth` (two-way): registers the connection with the API under the user of the JWT.
 * On success it answers with no body: the API itself pushes `auth.ok` (and replays missed
 * notifications, in order) through the management API right after answering, so a frame sent
 * from here would be a second, out-of-order auth.ok.
 */
import { parseJsonObject, validateAuthMessage, type AuthErrorEvent } from '../../libs/contracts/src/index.js';
import { apiErrorMessage, ApiUnavailableError, createApiClient } from '../shared/api-client.js';
import { requireEnv } from '../shared/env.js';
import type { WebSocketEvent, WebSocketResult } from '../shared/websocket-event.js';

const env = requireEnv('API_BASE_URL', 'GATEWAY_API_KEY');
const api = createApiClient({ baseUrl: env.API_BASE_URL, apiKey: env.GATEWAY_API_KEY });

export async function handler(event: WebSocketEvent): Promise<WebSocketResult> {
  const message = parseJsonObject(event.body);
  const auth = message ? validateAuthMessage(message) : 'the message must be a JSON object';
  if (typeof auth === 'string') return authError(400, `Invalid auth message: ${auth}`);

  const { connectionId, identity } = event.requestContext;
  try {
    const response = await api.request({
      method: 'POST',
      path: '/socket-connections',
      headers: { authorization: `Bearer ${auth.token}` },
      body: {
        connectionId,
        sourceIp: identity.sourceIp,
        ...(identity.userAgent ? { userAgent: identity.userAgent } : {}),
        ...(auth.since === undefined ? {} : { since: auth.since }),
      },
    });
    if (response.status === 200 || response.status === 201) return { statusCode: 200 };
    return authError(response.status, apiErrorMessage(response.body, `Authentication failed (HTTP ${response.status})`));
  } catch (error) {
    if (error instanceof ApiUnavailableError) {
      console.error(`auth: ${error.message}`);
      return authError(503, 'Service unavailable, try again');
    }
    throw error;
  }
}

function authError(status: number, message: string): WebSocketResult {
  const frame: AuthErrorEvent = { type: 'auth.error', data: { status, message } };
  return { statusCode: 200, body: JSON.stringify(frame) };
}
