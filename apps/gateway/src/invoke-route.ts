import type { WebSocketEvent, WebSocketResult } from '@gavel/contracts';
import { buildLambdaContext } from './events/lambda-context.js';
import type { GatewayRoute } from './route-selector.js';

export type InvokeOutcome =
  { kind: 'ok'; result: WebSocketResult | undefined } | { kind: 'error'; error: unknown } | { kind: 'timeout' };

/**
 * Runs a route's handler in-process under the integration timeout. A handler that outlives the
 * timeout keeps running (as a Lambda would), but its answer is dropped: the client already got
 * "Internal server error".
 */
export async function invokeRoute(
  route: GatewayRoute,
  event: WebSocketEvent,
  timeoutMs: number,
  region: string,
): Promise<InvokeOutcome> {
  const context = buildLambdaContext(
    route.functionName ?? route.routeKey,
    event.requestContext.requestId,
    timeoutMs,
    region,
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<InvokeOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
  });
  const run = (async (): Promise<InvokeOutcome> => {
    try {
      const result = await route.handler(event, context);
      return { kind: 'ok', result: result ?? undefined };
    } catch (error) {
      return { kind: 'error', error };
    }
  })();
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A Lambda-proxy answer counts as success when its statusCode is 2xx (or absent, as AWS treats it). */
export function isSuccess(result: WebSocketResult | undefined): boolean {
  const status = result?.statusCode ?? 200;
  return status >= 200 && status < 300;
}
