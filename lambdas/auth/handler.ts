/**
 * Route `auth` (two-way): registers the connection with the API under the user of the JWT.
 * On success it answers with no body: the API itself pushes `auth.ok` (and replays missed
 * notifications, in order) through the management API right after answering, so a frame sent
 * from here would be a second, out-of-order auth.ok.
 */
import {
  parseJsonObject,
  validateAuthMessage,
  type AuthErrorEvent,
  type AuthMessage,
  type WebSocketEvent,
  type WebSocketResult,
} from '@gavel/contracts';
import { apiErrorMessage, ApiUnavailableError, lambdaApiClient, type ApiResponse } from '../shared/api-client.js';
import { ApiSettingsError } from '../shared/api-settings.js';

const api = lambdaApiClient();
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

export async function handler(event: WebSocketEvent): Promise<WebSocketResult> {
  const message = parseJsonObject(event.body);
  const auth = message ? validateAuthMessage(message) : 'the message must be a JSON object';
  if (typeof auth === 'string') return authError(400, `Invalid auth message: ${auth}`);
  // A JWT is printable ASCII; anything else cannot even travel in an Authorization header (node:http
  // would refuse it), and the API would answer 401 to it anyway.
  if (!PRINTABLE_ASCII.test(auth.token)) return authError(401, 'Invalid token');

  try {
    let response = await registerConnection(event, auth, false);
    // 403 means the API refused our key: re-read the settings once, in case the key was just rotated.
    if (response.status === 403) response = await registerConnection(event, auth, true);
    if (response.status === 200 || response.status === 201) return { statusCode: 200 };
    return authError(
      response.status,
      apiErrorMessage(response.body, `Authentication failed (HTTP ${response.status})`),
    );
  } catch (error) {
    // The API (or, on AWS, the settings secret) cannot be reached: a clear, retryable answer.
    if (error instanceof ApiUnavailableError || error instanceof ApiSettingsError) {
      console.error(`auth ${event.requestContext.connectionId}: ${error.message}`);
      return authError(503, 'Service unavailable, try again');
    }
    throw error;
  }
}

async function registerConnection(event: WebSocketEvent, auth: AuthMessage, refresh: boolean): Promise<ApiResponse> {
  const { connectionId, identity } = event.requestContext;
  const client = await api(refresh);
  return client.request({
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
}

function authError(status: number, message: string): WebSocketResult {
  const frame: AuthErrorEvent = { type: 'auth.error', data: { status, message } };
  return { statusCode: 200, body: JSON.stringify(frame) };
}
