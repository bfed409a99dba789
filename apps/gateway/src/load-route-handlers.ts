import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RouteDefinition } from '../../../lambdas/routes.js';
import type { WebSocketHandler } from '@gavel/contracts';
import type { GatewayRoute } from './route-selector.js';

/**
 * Loads each route's handler from its esbuild bundle (`<bundleRoot>/<handler>/index.mjs`), so the
 * gateway runs exactly the code that gets deployed. Call after the Lambdas' environment is set:
 * bundles read it at import (cold start).
 */
export async function loadRouteHandlers(
  table: readonly RouteDefinition[],
  bundleRoot: string,
): Promise<GatewayRoute[]> {
  const missing = table.map((r) => join(bundleRoot, r.handler, 'index.mjs')).filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`Lambda bundle(s) missing: ${missing.join(', ')} — run npm run build`);
  return Promise.all(
    table.map(async (route) => {
      const module = (await import(pathToFileURL(join(bundleRoot, route.handler, 'index.mjs')).href)) as {
        handler?: unknown;
      };
      if (typeof module.handler !== 'function')
        throw new Error(`lambdas/${route.handler} does not export a handler function`);
      return {
        routeKey: route.routeKey,
        twoWay: route.twoWay,
        handler: module.handler as WebSocketHandler,
        functionName: `gavel-${route.handler}`,
      };
    }),
  );
}
