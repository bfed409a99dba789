/**
 * The API in-process for HTTP tests: `createApp` exactly as production builds it, listening on a free
 * port against a fresh database, with a recording stand-in for API Gateway's management endpoint so
 * pushes (auth.ok after a registration) never reach a gateway a developer may be running.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../apps/api/src/app.factory.js';
import type { RawEnv } from '../../apps/api/src/config/env.js';
import { type DatabaseKind, freshDatabase, type TestDatabase } from '../support/databases.js';

export const TEST_SECRETS = {
  JWT_SECRET: 'api-test-jwt-secret-with-at-least-32-chars',
  GATEWAY_API_KEY: 'api-test-gateway-key',
  SERVICE_API_KEY: 'api-test-service-key',
} as const;

export interface RecordedPush {
  method: string;
  connectionId: string;
  body: string;
}

export interface ApiHarness {
  baseUrl: string;
  app: NestExpressApplication;
  database: TestDatabase;
  /** Management API calls the API made (POST/GET/DELETE @connections). */
  pushes: RecordedPush[];
  close(): Promise<void>;
}

function startManagementStub(pushes: RecordedPush[]): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const match = /\/@connections\/([^/?]+)/.exec(req.url ?? '');
      pushes.push({
        method: req.method ?? '',
        connectionId: match ? decodeURIComponent(match[1]!) : '',
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (req.method === 'DELETE') return void res.writeHead(204).end();
      if (req.method === 'GET') {
        const now = new Date().toISOString();
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            connectedAt: now,
            lastActiveAt: now,
            identity: { sourceIp: '127.0.0.1', userAgent: 'test' },
          }),
        );
      }
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export async function startApi(
  kind: DatabaseKind,
  env: RawEnv = {},
  options: { webRoot?: string } = {},
): Promise<ApiHarness> {
  const database = await freshDatabase(kind);
  const pushes: RecordedPush[] = [];
  const stub = await startManagementStub(pushes);
  const stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  let app: NestExpressApplication;
  try {
    app = await createApp({
      // Test files register their users and place their bids in a burst from one IP; the limits have their own tests.
      env: {
        NODE_ENV: 'test',
        DATABASE_URL: database.url,
        LOG_LEVEL: 'error',
        APIGW_ENDPOINT: stubUrl,
        REGISTER_RATE_LIMIT: '1000000',
        BID_RATE_LIMIT: '1000000',
        ...TEST_SECRETS,
        ...env,
      },
      webRoot: options.webRoot,
    });
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    stub.close();
    await database.drop();
    throw error;
  }
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    app,
    database,
    pushes,
    async close() {
      await app.close();
      await new Promise((resolve) => stub.close(resolve));
      await database.drop();
    },
  };
}

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A JSON request; `body` is sent as JSON unless it is already a string. */
export async function call<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: body as T, headers: response.headers };
}

let userCounter = 0;

/** Registers a fresh user and logs in; returns the id and an access token. */
export async function newUser(
  baseUrl: string,
  displayName = 'Tester',
): Promise<{ id: number; email: string; token: string }> {
  userCounter += 1;
  const email = `user${userCounter}-${Date.now().toString(36)}@example.com`;
  const password = 'password-123';
  const registered = await call(baseUrl, 'POST', '/auth/register', { body: { email, password, displayName } });
  if (registered.status !== 201)
    throw new Error(`register failed: ${registered.status} ${JSON.stringify(registered.body)}`);
  const login = await call(baseUrl, 'POST', '/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { id: registered.body.id, email, token: login.body.accessToken };
}

/** An admin, created the way `npm run user:create --role admin` does, then logged in over HTTP. */
export async function newAdmin(api: ApiHarness): Promise<{ id: number; email: string; token: string }> {
  const { UserService } = await import('../../apps/api/src/modules/user/user.service.js');
  userCounter += 1;
  const email = `admin${userCounter}-${Date.now().toString(36)}@example.com`;
  const password = 'admin-password-1';
  const { user } = await api.app
    .get(UserService)
    .createOrUpdate({ email, password, displayName: 'Admin', role: 'admin', resetPassword: false });
  const login = await call(api.baseUrl, 'POST', '/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status}`);
  return { id: user.id, email, token: login.body.accessToken };
}
