/**
 * Development defaults (contract §3). Plain constants, no Nest imports: the local gateway, scripts and
 * tests import them too. Every secret here is public by definition, so production refuses all of them.
 */
export const DEV_DEFAULTS = {
  DATABASE_URL: 'sqlite:data/gavel.sqlite',
  PORT: 3000,
  GATEWAY_PORT: 3001,
  JWT_SECRET: 'dev-only-jwt-secret-do-not-use-in-production',
  JWT_EXPIRES_IN: '1h',
  GATEWAY_API_KEY: 'dev-only-gateway-api-key',
  SERVICE_API_KEY: 'dev-only-service-api-key',
  APIGW_ENDPOINT: 'http://127.0.0.1:3001',
  API_BASE_URL: 'http://127.0.0.1:3000',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDLOCALDEVONLY0000',
  AWS_SECRET_ACCESS_KEY: 'dev-only-local-secret-access-key',
  LOGIN_RATE_LIMIT: 10,
  LOGIN_RATE_WINDOW_MS: 60_000,
  REGISTER_RATE_LIMIT: { limit: 20, windowMs: 60_000 },
  BID_RATE_LIMIT: { limit: 10, windowMs: 1_000 },
  MAX_CONNECTIONS_PER_USER: 20,
  LOG_LEVEL: 'log',
} as const;

/** The secrets production must set explicitly (and may not set to the value above). */
export const PRODUCTION_SECRETS = ['JWT_SECRET', 'GATEWAY_API_KEY', 'SERVICE_API_KEY'] as const;

/** Demo logins seeded in development only (contract §4); the web client offers them on its sign-in page. */
export const DEMO_PASSWORD = 'gavel-demo';
export const DEMO_USERS = [
  { email: 'alice@gavel.test', displayName: 'Alice', role: 'user' },
  { email: 'bob@gavel.test', displayName: 'Bob', role: 'user' },
  { email: 'admin@gavel.test', displayName: 'Admin', role: 'admin' },
] as const;
