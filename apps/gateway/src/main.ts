/**
 * The local API Gateway as a process (`node dist/apps/gateway/src/main.js`): the real route table,
 * handlers from the deployed bundles, configuration from the environment (contract §3).
 */
import { fileURLToPath } from 'node:url';
import { routes as routeTable } from '../../../lambdas/routes.js';
import { GatewayConfigError, loadGatewayConfig } from './config.js';
import { startGateway } from './gateway.js';
import { loadRouteHandlers } from './load-route-handlers.js';
import { lineLogger, silentLogger } from './logger.js';

// Compiled to dist/apps/gateway/src/main.js; the bundles are in dist/lambdas/.
const bundleRoot = fileURLToPath(new URL('../../../lambdas/', import.meta.url));

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  // The Lambdas' environment, as on AWS; set before the bundles are imported (they read it at cold start).
  Object.assign(process.env, config.lambdaEnvironment);
  const routes = await loadRouteHandlers(routeTable, bundleRoot);
  const gateway = await startGateway({
    port: config.port,
    host: config.host,
    stage: config.stage,
    routes,
    credentials: config.credentials,
    region: config.region,
    limits: config.limits,
    logger: config.log ? lineLogger() : silentLogger,
  });
  const base = gateway.url.slice(0, -(config.stage.length + 1));
  console.log(
    `Local API Gateway listening on ${base} (also ${gateway.url}); management API ${base.replace('ws://', 'http://')}/@connections`,
  );
  console.log(
    `Routes: ${routes.map((r) => r.routeKey).join(', ')} → Lambdas at ${config.lambdaEnvironment.API_BASE_URL}`,
  );

  const stop = (signal: string) => {
    console.log(`${signal}: closing connections`);
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof GatewayConfigError ? `Invalid configuration:\n  - ${error.message}` : error);
  process.exit(1);
});
