/**
 * The real API (createApp, exactly as production builds it) listening on a free loopback port inside
 * the test process, against a fresh database, with secrets unique to this run — so that a secret found
 * in the captured log or in an answer is a real leak, not a coincidence.
 */
import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../../apps/api/src/app.factory.js';
import { type DatabaseKind, freshDatabase, type TestDatabase } from '../../support/databases.js';
import { LogCapture } from './log-capture.js';

export interface RunSecrets {
  JWT_SECRET: string;
  GATEWAY_API_KEY: string;
  SERVICE_API_KEY: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
}

/** Fresh, recognisable secrets for one run. */
export function runSecrets(): RunSecrets {
  const hex = (n: number) => randomBytes(n).toString('hex');
  return {
    JWT_SECRET: `reljwt${hex(24)}`,
    GATEWAY_API_KEY: `relgw${hex(16)}`,
    SERVICE_API_KEY: `relsvc${hex(16)}`,
    AWS_ACCESS_KEY_ID: `AKIDREL${hex(6).toUpperCase()}`,
    AWS_SECRET_ACCESS_KEY: `relaws${hex(20)}`,
  };
}

export interface InProcessApi {
  app: NestExpressApplication;
  baseUrl: string;
  secrets: RunSecrets;
  database: TestDatabase;
  logs: LogCapture;
  close(): Promise<void>;
}

export interface StartApiOptions {
  /** Extra variables (LOGIN_RATE_LIMIT, APIGW_ENDPOINT, …). */
  env?: Record<string, string>;
  secrets?: RunSecrets;
}

export async function startInProcessApi(kind: DatabaseKind, options: StartApiOptions = {}): Promise<InProcessApi> {
  const database = await freshDatabase(kind);
  const secrets = options.secrets ?? runSecrets();
  const logs = new LogCapture();
  logs.start();
  let app: NestExpressApplication;
  try {
    app = await createApp({
      env: {
        // development: the demo users (alice, bob, admin) are seeded; secrets are still ours.
        NODE_ENV: 'development',
        // The reliability tests read the request log's fields.
        LOG_FORMAT: 'json',
        DATABASE_URL: database.url,
        LOG_LEVEL: 'log',
        // Nothing listens here: pushes fail fast instead of reaching a gateway of another test.
        APIGW_ENDPOINT: 'http://127.0.0.1:9',
        ...secrets,
        ...options.env,
      },
    });
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    logs.stop();
    await database.drop().catch(() => undefined);
    throw error;
  }
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    baseUrl: `http://127.0.0.1:${address.port}`,
    secrets,
    database,
    logs,
    close: async () => {
      // A test may have closed the app itself (a shutdown under test); closing twice is then a no-op.
      await app.close().catch(() => undefined);
      logs.stop();
      await database.drop();
    },
  };
}
