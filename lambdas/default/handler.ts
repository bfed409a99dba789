/** Route `$default` (two-way): answers `ping` and explains everything else. */
import {
  parseJsonObject,
  type ErrorEvent,
  type PongEvent,
  type WebSocketEvent,
  type WebSocketResult,
} from '@gavel/contracts';

const PONG = JSON.stringify({ type: 'pong' } satisfies PongEvent);

export async function handler(event: WebSocketEvent): Promise<WebSocketResult> {
  if (event.isBase64Encoded)
    return error('Binary messages are not supported; send JSON text such as {"action":"ping"}');
  const message = parseJsonObject(event.body);
  if (!message) return error('Messages must be JSON objects such as {"action":"ping"}');
  const { action } = message;
  if (action === 'ping') return { statusCode: 200, body: PONG };
  if (action === undefined) return error('Missing "action"; known actions: auth, subscribe, unsubscribe, ping');
  return error(
    `Unknown action ${JSON.stringify(action).slice(0, 100)}; known actions: auth, subscribe, unsubscribe, ping`,
  );
}

function error(message: string): WebSocketResult {
  return { statusCode: 200, body: JSON.stringify({ type: 'error', data: { message } } satisfies ErrorEvent) };
}
