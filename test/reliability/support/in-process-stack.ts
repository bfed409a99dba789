/**
 * Gateway + real Lambdas + real API in this one process, on free loopback ports: what the frame fuzz
 * needs to look inside (Object.prototype, the gateway's connection count) while everything still talks
 * over real sockets — ws clients → gateway → Lambda → HTTP → API → management API (SigV4) → gateway.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { routes } from '../../../lambdas/routes.js';
import type { WebSocketHandler } from '@gavel/contracts';
import { startGateway, type RunningGateway } from '../../../apps/gateway/src/gateway.js';
import type { GatewayLimits } from '../../../apps/gateway/src/limits.js';
import type { GatewayRoute } from '../../../apps/gateway/src/route-selector.js';
import type { DatabaseKind } from '../../support/databases.js';
import { type InProcessApi, runSecrets, startInProcessApi } from './in-process-api.js';

export interface InProcessStack {
  api: InProcessApi;
  gateway: RunningGateway;
  close(): Promise<void>;
}

/**
 * The route table with each handler imported, as the gateway process loads it. One import at a time:
 * Jest's ES module loader fails on concurrent import()s that share a dependency ("… is not in cache").
 */
async function loadRoutes(): Promise<GatewayRoute[]> {
  const loaded: GatewayRoute[] = [];
  for (const route of routes) {
    const module = (await import(`../../../lambdas/${route.handler}/handler.js`)) as { handler: WebSocketHandler };
    loaded.push({
      routeKey: route.routeKey,
      twoWay: route.twoWay,
      handler: module.handler,
      functionName: `gavel-${route.handler}`,
    });
  }
  return loaded;
}

export async function startInProcessStack(
  kind: DatabaseKind,
  limits: Partial<GatewayLimits> = {},
): Promise<InProcessStack> {
  const secrets = runSecrets();
  // The Lambdas check these at cold start (module import) and read them again on every call.
  process.env.GATEWAY_API_KEY = secrets.GATEWAY_API_KEY;
  process.env.API_BASE_URL = 'http://127.0.0.1:9';
  const gateway = await startGateway({
    routes: await loadRoutes(),
    credentials: { accessKeyId: secrets.AWS_ACCESS_KEY_ID, secretAccessKey: secrets.AWS_SECRET_ACCESS_KEY },
    region: 'us-east-1',
    limits,
  });
  let api: InProcessApi;
  try {
    api = await startInProcessApi(kind, {
      secrets,
      env: {
        APIGW_ENDPOINT: gateway.managementUrl,
        AWS_REGION: 'us-east-1',
        LOGIN_RATE_LIMIT: '1000000',
        REGISTER_RATE_LIMIT: '1000000',
        BID_RATE_LIMIT: '1000000',
      },
    });
  } catch (error) {
    await gateway.close();
    throw error;
  }
  process.env.API_BASE_URL = api.baseUrl;
  return {
    api,
    gateway,
    close: async () => {
      await gateway.close();
      // Let the $disconnect Lambdas of the closed sockets reach the API before it goes away.
      await sleep(300);
      await api.close();
    },
  };
}
