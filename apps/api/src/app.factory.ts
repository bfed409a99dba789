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
import { AppConfig, type LogLevelSetting, loadConfig, type RawEnv } from './config/env.js';
import { projectRoot } from './config/project-root.js';
import { runPendingMigrations } from './database/migrate.js';
import { seedDevelopmentData } from './database/seed-development.js';

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
}

/**
 * Builds the API exactly as production runs it — middleware, docs, static client, migrations applied,
 * development seed — and initialises it without listening. main.ts and every HTTP test use this.
 */
export async function createApp(options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const config = options.config ?? loadConfig(options.env);
  const levels = logLevels(config.logLevel);
  const logger = new ConsoleLogger({ json: true, logLevels: levels });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { logger, bodyParser: false, abortOnError: false });

  // Behind a load balancer the socket's address is the balancer's: take the client's from X-Forwarded-For,
  // but only as many entries back as there are proxies we run (TRUST_PROXY), so a client cannot name its own.
  if (config.trustProxyHops > 0) app.set('trust proxy', config.trustProxyHops);
  // Request lines are written at 'log': below that level the middleware is not installed at all, rather
  // than timing every request for a line that is then thrown away.
  if (levels.includes('log')) app.use(requestLogger);
  app.use(
    helmet({
      contentSecurityPolicy: {
        // The web client opens its WebSocket to the gateway on another port (or on AWS); the dev stack is plain http.
        directives: { connectSrc: ["'self'", 'ws:', 'wss:'], upgradeInsecureRequests: null },
      },
    }),
  );
  app.useBodyParser('json', { limit: BODY_LIMIT, reviver: rejectLoneSurrogates });
  app.disable('x-powered-by');
  // No ETag on API answers: Express would hash every JSON body for a header no API client sends back
  // (the static web client keeps serve-static's own ETags).
  app.set('etag', false);
  app.enableShutdownHooks();

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

  // The browser client, when built (esbuild → dist/web). Only existing files are served, so API routes keep priority.
  const webRoot = join(projectRoot(), 'dist', 'web');
  if (existsSync(webRoot)) app.useStaticAssets(webRoot, { index: 'index.html' });

  const applied = await runPendingMigrations(app.get(DataSource));
  if (applied.length > 0) new Logger('Database').log(`Applied migrations: ${applied.map((m) => m.name).join(', ')}`);
  if (config.nodeEnv === 'development') await seedDevelopmentData(app);
  await app.init();
  return app;
}
