/**
 * Route `$disconnect`: asks the API to forget the connection. It never fails towards the gateway:
 * `$disconnect` is best effort on AWS anyway, and the API survives rows it never hears about.
 */
import { apiErrorMessage, lambdaApiClient } from '../shared/api-client.js';
import type { WebSocketEvent, WebSocketResult } from '@gavel/contracts';

const api = lambdaApiClient();

export async function handler(event: WebSocketEvent): Promise<WebSocketResult> {
  const { connectionId } = event.requestContext;
  try {
    const client = await api();
    const response = await client.request({
      method: 'DELETE',
      path: `/socket-connections/${encodeURIComponent(connectionId)}`,
    });
    if (response.status >= 300) {
      console.error(
        `disconnect ${connectionId}: API answered ${response.status}: ${apiErrorMessage(response.body, 'no message')}`,
      );
    }
  } catch (error) {
    console.error(`disconnect ${connectionId}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { statusCode: 200 };
}
