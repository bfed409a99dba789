/**
 * The API process: validates configuration, applies pending migrations, seeds demo data in development,
 * and listens on HOST:PORT (127.0.0.1 by default). A bad configuration stops here with a message naming the variable.
 */
import 'reflect-metadata';
import type { Server } from 'node:http';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { DEMO_PASSWORD, DEMO_USERS } from '@gavel/config';
import { HttpDrain } from './common/http-drain.js';
import { ConfigValidationError, loadConfig } from './config/env.js';
import { PublishedDemoLoginError } from './database/seed-development.js';

const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/**
 * Behind a load balancer (TRUST_PROXY set), how long a stopping copy keeps serving with its health check
 * failing before it closes connections: HAProxy as docs/operations.md configures it takes a copy out after
 * 2 failed checks 300 ms apart; ECS has already deregistered the task from the ALB before its SIGTERM.
 * Within the container's 30 s stop timeout together with the push drain (10 s).
 */
const LOAD_BALANCER_DRAIN_MS = 2_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp({ config, processMetrics: true });
  const server = app.getHttpServer() as Server;
  // Idle keep-alive sockets stay open longer than the callers keep theirs (an ALB's idle timeout is
  // 60 s; the Lambdas' agents hold theirs until the server closes them). With Node's 5 s default, each
  // pause in traffic made the next burst of Lambda calls open new connections, or fail on one the
  // server was just closing.
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  // SIGTERM: out of the balancer's rotation first (health 503, `Connection: close` on every answer), then
  // Nest's shutdown (pushes drained, server closed, database closed). `beforeClose` is awaited before any hook.
  const drain = new HttpDrain(server);
  const adapter = app.getHttpAdapter();
  const beforeClose = adapter.beforeClose?.bind(adapter);
  adapter.beforeClose = async () => {
    await drain.drain(config.trustProxyHops > 0 ? LOAD_BALANCER_DRAIN_MS : 0);
    await beforeClose?.();
  };
  await app.listen(config.port, config.host);
  const logger = new Logger('Gavel');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  logger.log(`API listening on ${url} (${config.apiDocs ? `docs: ${url}/docs, ` : ''}health: ${url}/health)`);
  if (config.seedDemoData) {
    logger.log(`Demo logins: ${DEMO_USERS.map((u) => u.email).join(', ')} — password "${DEMO_PASSWORD}"`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof PublishedDemoLoginError) console.error(error.message);
  else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
