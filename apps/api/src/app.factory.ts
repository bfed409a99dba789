import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleLogger, type LogLevel, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module.js';
import { rejectLoneSurrogates } from './common/json-reviver.js';
import { requestLogger } from './common/request-logger.middleware.js';
import { type AppConfig, type LogLevelSetting, loadConfig, type RawEnv } from './config/env.js';
import { projectRoot } from './config/project-root.js';
import { runPendingMigrations } from './database/migrate.js';
import { MetricsRegistry } from './modules/metrics/metrics.registry.js';
import { refusePublishedDemoLogins, seedDevelopmentData } from './database/seed-development.js';
import { cspDirectives, defaultConnectSources, serveWebClient } from './web-client/web-client-page.js';

/** JSON request bodies above this are answered 413 (a pushed event is at most 128 KB anyway). */
export const BODY_LIMIT = '256kb';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

function logLevels(setting: LogLevelSetting): LogLevel[] {
  if (setting === 'silent') return [];
  return LEVELS.slice(0, LEVELS.indexOf(setting) + 1);
}

export interface CreateAppOptions {
  /** Variables layered over process.env before validation (tests: DATABASE_URL, LOG_LEVEL, …). */
  env?: RawEnv;
  /** An already validated configuration (wins over `env`). */
  config?: AppConfig;
  /** Where the built browser client is (default dist/web; tests give their own). */
  webRoot?: string;
  /** Add the process's CPU, memory, event-loop and GC metrics to GET /metrics (main.ts: the API is the process). */
  processMetrics?: boolean;
}

/**
 * Builds the API exactly as production runs it — middleware, docs (unless off), static client, migrations
 * applied, development seed (development on a loopback HOST) — and initialises it without listening.
 * main.ts and every HTTP test use this.
 */
export async function createApp(options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const config = options.config ?? loadConfig(options.env);
  const levels = logLevels(config.logLevel);
  const logger = new ConsoleLogger({ json: config.logFormat === 'json', logLevels: levels });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger,
    bodyParser: false,
    abortOnError: false,
  });

  // Behind a load balancer the socket's address is the balancer's: take the client's from X-Forwarded-For,
  // but only as many entries back as there are proxies we run (TRUST_PROXY), so a client cannot name its own.
  if (config.trustProxyHops > 0) app.set('trust proxy', config.trustProxyHops);
  // Request lines are written at 'log': below that level the middleware is not installed at all, rather
  // than timing every request for a line that is then thrown away.
  if (levels.includes('log')) app.use(requestLogger(config.logFormat));
  // Latency by route template for GET /metrics: before the routes, so every answer is timed, 404s included.
  const metrics = app.get(MetricsRegistry);
  if (options.processMetrics) metrics.collectProcessMetrics();
  app.use(metrics.httpMiddleware());
  app.use(
    helmet({
      contentSecurityPolicy: {
        // REST to this origin, the WebSocket to the one URL the page is given (the gateway's port, or on AWS the
        // stage) and nowhere else. The page's own policy names the derived origin (serveWebClient).
        directives: cspDirectives(defaultConnectSources(config)),
      },
    }),
  );
  app.useBodyParser('json', { limit: BODY_LIMIT, reviver: rejectLoneSurrogates });
  app.disable('x-powered-by');
  // No ETag on API answers: Express would hash every JSON body for a header no API client sends back
  // (the static web client keeps serve-static's own ETags).
  app.set('etag', false);
  app.enableShutdownHooks();

  // The OpenAPI UI maps every route for whoever asks: production serves it only with API_DOCS=true.
  if (config.apiDocs) {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Gavel API')
        .setDescription('Real-time bids and per-user notifications over AWS API Gateway WebSockets')
        .addBearerAuth()
        .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'x-api-key')
        .build(),
    );
    SwaggerModule.setup('docs', app, document);
  }

  // The browser client, when built (esbuild → dist/web), its index.html given the WebSocket URL. Only existing
  // files are served, so API routes keep priority.
  const webRoot = options.webRoot ?? join(projectRoot(), 'dist', 'web');
  if (existsSync(join(webRoot, 'index.html'))) serveWebClient(app, config, webRoot);

  const applied = await runPendingMigrations(app.get(DataSource));
  if (applied.length > 0) new Logger('Database').log(`Applied migrations: ${applied.map((m) => m.name).join(', ')}`);
  // Development on a loopback HOST only: the demo logins' password is public.
  if (config.seedDemoData) await seedDevelopmentData(app);
  else if (config.nodeEnv === 'production' || !config.loopback) {
    const reason =
      config.nodeEnv === 'production'
        ? 'when NODE_ENV=production'
        : `because HOST=${config.host} is not a loopback address`;
    await refusePublishedDemoLogins(app, reason).catch(async (error: unknown) => {
      await app.close();
      throw error;
    });
  }
  await app.init();
  return app;
}
