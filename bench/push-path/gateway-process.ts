/**
 * The local gateway alone (forked by push-path/run.ts) with one two-way route that tells a client its
 * connection id, so pushes can be driven without the API or a database.
 */
import { DEV_DEFAULTS } from '@gavel/config';
import { startGateway } from '../../apps/gateway/src/gateway.js';

const gateway = await startGateway({
  routes: [
    {
      routeKey: '$default',
      twoWay: true,
      handler: async (event) => ({ statusCode: 200, body: event.requestContext.connectionId }),
    },
  ],
  credentials: { accessKeyId: DEV_DEFAULTS.AWS_ACCESS_KEY_ID, secretAccessKey: DEV_DEFAULTS.AWS_SECRET_ACCESS_KEY },
  region: DEV_DEFAULTS.AWS_REGION,
  limits: { newConnectionsPerSecond: 100_000 },
});
process.send?.({ type: 'listening', url: gateway.url, managementUrl: gateway.managementUrl });
process.on('disconnect', () => process.exit(0));
