import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectionRegistry } from './connections/connection-registry.js';
import { newApiId } from './ids.js';
import { resolveLimits, type GatewayLimits } from './limits.js';
import { silentLogger, type GatewayLogger } from './logger.js';
import { createConnectionsRoutes } from './management/connections-routes.js';
import { SigV4Verifier, type SigV4Credentials } from './management/sigv4-verifier.js';
import { RouteSelector, type GatewayRoute } from './route-selector.js';
import { WebSocketGateway } from './websocket-gateway.js';

export interface GatewayOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Stage name: accepted as a path prefix on the WebSocket URL and the management API. */
  stage?: string;
  routes: readonly GatewayRoute[];
  /** The only credentials the management API accepts (SigV4, service execute-api). */
  credentials: SigV4Credentials;
  region: string;
  limits?: Partial<GatewayLimits>;
  apiId?: string;
  /** `requestContext.domainName`; by default the Host header the client connected with. */
  domainName?: string;
  logger?: GatewayLogger;
}

export interface RunningGateway {
  /** WebSocket URL including the stage, e.g. `ws://127.0.0.1:3001/dev`. */
  url: string;
  /** Management endpoint for ApiGatewayManagementApiClient, e.g. `http://127.0.0.1:3001/dev`. */
  managementUrl: string;
  port: number;
  stage: string;
  /** Live connections (for tests and diagnostics). */
  connectionCount(): number;
  /** Closes every connection with 1001, lets the `$disconnect` handlers finish (bounded), stops listening. */
  close(): Promise<void>;
}

/** Starts a local API Gateway WebSocket API: WebSocket + management API on one port. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const stage = options.stage ?? 'dev';
  const host = options.host ?? '127.0.0.1';
  const limits = resolveLimits(options.limits);
  const logger = options.logger ?? silentLogger;
  const registry = new ConnectionRegistry();
  const routes = new RouteSelector(options.routes);

  const websockets = new WebSocketGateway({
    stage,
    apiId: options.apiId ?? newApiId(),
    domainName: options.domainName,
    region: options.region,
    limits,
    routes,
    registry,
    logger,
  });
  const management = createConnectionsRoutes({
    stage,
    registry,
    verifier: new SigV4Verifier(options.credentials, options.region),
    limits,
    logger,
  });

  const server: Server = createServer({ keepAliveTimeout: 65_000 }, management);
  server.on('upgrade', (request, socket, head) => {
    websockets.handleUpgrade(request, socket, head).catch((error: unknown) => {
      logger.error('upgrade', error);
      socket.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const base = `${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: `ws://${base}/${stage}`,
    managementUrl: `http://${base}/${stage}`,
    port,
    stage,
    connectionCount: () => registry.size,
    close: async () => {
      await websockets.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
