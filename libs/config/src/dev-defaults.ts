/**
 * Development defaults (contract §3). Plain constants, no Nest imports: the local gateway, scripts and
 * tests import them too. Every secret here is public by definition, so production refuses all of them.
 */
export const DEV_DEFAULTS = {
  DATABASE_URL: 'sqlite:data/gavel.sqlite',
  HOST: '127.0.0.1',
  PORT: 3000,
  GATEWAY_HOST: '127.0.0.1',
  GATEWAY_PORT: 3001,
  JWT_SECRET: 'dev-only-jwt-secret-do-not-use-in-production',
  JWT_EXPIRES_IN: '1h',
  REFRESH_TOKEN_EXPIRES_IN: '14d',
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

/**
 * METRICS_TOKEN has no default (unset: `GET /metrics` is open); when set it must be at least this long.
 * infra/ generates the deployed one with the same floor.
 */
export const METRICS_TOKEN_MIN_LENGTH = 24;

/**
 * How long the API, on SIGTERM, lets pushes in flight finish before it closes anyway. infra/ gives the
 * container more than this before SIGKILL (ECS stopTimeout), so a graceful stop is never cut short.
 */
export const PUSH_DRAIN_TIMEOUT_MS = 10_000;

/** The secrets production must set explicitly (and may not set to the value above). */
export const PRODUCTION_SECRETS = ['JWT_SECRET', 'GATEWAY_API_KEY', 'SERVICE_API_KEY'] as const;

/**
 * Whether a listen address (HOST, GATEWAY_HOST) is loopback only: 127.0.0.0/8, ::1 (also written in full
 * or as ::ffff:127.x.x.x) and localhost. 0.0.0.0, :: and every other address or name reach the network,
 * so the development secrets and the demo users are refused there (contract §3).
 */
export function isLoopbackHost(host: string): boolean {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === 'localhost') return true;
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  if (ipv4) return ipv4.slice(1).every((octet) => Number(octet) <= 255) && ipv4[1] === '127';
  if (!name.includes(':')) return false;
  let normalized: string;
  try {
    // The WHATWG URL parser compresses IPv6 (0:0:0:0:0:0:0:1 → ::1, ::ffff:127.0.0.1 → ::ffff:7f00:1).
    normalized = new URL(`http://[${name}]/`).hostname.slice(1, -1);
  } catch {
    return false;
  }
  return normalized === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(normalized);
}

/** Demo logins seeded in development on a loopback HOST only (contract §4); the web client offers them on its sign-in page. */
export const DEMO_PASSWORD = 'gavel-demo';
export const DEMO_USERS = [
  { email: 'alice@gavel.test', displayName: 'Alice', role: 'user' },
  { email: 'bob@gavel.test', displayName: 'Bob', role: 'user' },
  { email: 'admin@gavel.test', displayName: 'Admin', role: 'admin' },
] as const;
