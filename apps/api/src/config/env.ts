/**
 * The API's configuration, validated once at start (contract §3). This is the only file of the API that
 * reads process.env; everything else injects the typed `AppConfig`.
 */
import { DEV_DEFAULTS, isLoopbackHost, METRICS_TOKEN_MIN_LENGTH, type PRODUCTION_SECRETS } from '@gavel/config';

export type NodeEnv = 'development' | 'test' | 'production';
export type LogLevelSetting = 'verbose' | 'debug' | 'log' | 'warn' | 'error' | 'silent';

/** Validated configuration. An abstract class so it doubles as Nest's injection token. */
export abstract class AppConfig {
  declare readonly nodeEnv: NodeEnv;
  declare readonly databaseUrl: string;
  /** The address the API listens on (HOST). */
  declare readonly host: string;
  /** HOST is loopback only: development mode (dev secrets, demo users) is allowed. */
  declare readonly loopback: boolean;
  declare readonly port: number;
  declare readonly gatewayPort: number;
  declare readonly jwtSecret: string;
  /** As given (`1h`, `15m`, `3600`). */
  declare readonly jwtExpiresIn: string;
  declare readonly jwtExpiresInSeconds: number;
  /** REFRESH_TOKEN_EXPIRES_IN: lifetime of the web client's refresh cookie (`gavel_refresh`). */
  declare readonly refreshTokenExpiresInSeconds: number;
  declare readonly gatewayApiKey: string;
  declare readonly serviceApiKey: string;
  declare readonly apigwEndpoint: string;
  declare readonly apiBaseUrl: string;
  /**
   * PUBLIC_WEBSOCKET_URL: the one WebSocket URL the served web client connects to. Undefined: the page is
   * given `ws://<hostname of the request's Host>:<gatewayPort>` (see web-client/web-client-page.ts).
   */
  declare readonly publicWebSocketUrl: string | undefined;
  declare readonly awsRegion: string;
  /** Absent in production on AWS: the SDK then uses the IAM role. */
  declare readonly awsAccessKeyId: string | undefined;
  declare readonly awsSecretAccessKey: string | undefined;
  /** `POST /auth/login` per client IP + e-mail. */
  declare readonly loginRateLimit: RateLimitSetting;
  /** `POST /auth/register` per client IP. */
  declare readonly registerRateLimit: RateLimitSetting;
  /** `POST /auctions/:id/bids` per user. */
  declare readonly bidRateLimit: RateLimitSetting;
  /** Connections one user may hold; the next `auth` is refused with 429. */
  declare readonly maxConnectionsPerUser: number;
  /** Proxy hops whose `X-Forwarded-For` entries are trusted for the client IP (0: none, the socket's address). */
  declare readonly trustProxyHops: number;
  /** METRICS_TOKEN: when set, `GET /metrics` needs `Authorization: Bearer <it>`; undefined: open. */
  declare readonly metricsToken: string | undefined;
  /** Password hashes (argon2) running at once: half of libuv's threadpool, so file and DNS work keep threads. */
  declare readonly passwordHashConcurrency: number;
  declare readonly logLevel: LogLevelSetting;
  /** `text`: Nest's readable console lines (development default); `json`: one JSON object per line (elsewhere). */
  declare readonly logFormat: LogFormat;
  /** Serve the OpenAPI UI and document at /docs: always outside production, there only with API_DOCS=true. */
  declare readonly apiDocs: boolean;
  /** Seed the demo users and auctions: development on a loopback HOST only. */
  declare readonly seedDemoData: boolean;
}

export type RawEnv = Record<string, string | undefined>;

/** At most `limit` requests per `windowMs` (sliding window). */
export interface RateLimitSetting {
  readonly limit: number;
  readonly windowMs: number;
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/** process.env with optional overrides on top (tests and scripts pass their own DATABASE_URL etc.). */
export function readEnv(overrides: RawEnv = {}): RawEnv {
  return { ...process.env, ...overrides };
}

/** Reads, validates and returns the configuration; throws `ConfigValidationError` naming every bad variable. */
export function loadConfig(overrides: RawEnv = {}): AppConfig {
  return validateEnv(readEnv(overrides));
}

const DURATION = /^(\d+)\s*(ms|s|m|h|d)?$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const LOG_LEVELS: LogLevelSetting[] = ['verbose', 'debug', 'log', 'warn', 'error', 'silent'];
export type LogFormat = 'text' | 'json';
const LOG_FORMATS: LogFormat[] = ['text', 'json'];

const RATE_LIMIT = /^(\d+)(?:\s*\/\s*(\d+)?\s*(ms|s|m|h))?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A `*_RATE_LIMIT` value: `10` (the variable's default window), or `10/1m`, `10/60s`, `10/s`, `20/500ms`
 * (a unit without a number means one of it). Undefined when malformed or out of range.
 */
export function parseRateLimit(value: string, defaultWindowMs: number): RateLimitSetting | undefined {
  const match = RATE_LIMIT.exec(value.trim());
  if (!match) return undefined;
  const limit = Number(match[1]);
  const windowMs = match[3] === undefined ? defaultWindowMs : Number(match[2] ?? '1') * UNIT_MS[match[3]]!;
  if (limit < 1 || limit > 1_000_000 || windowMs < 1 || windowMs > 86_400_000) return undefined;
  return { limit, windowMs };
}

/** Seconds in a JWT duration such as `1h`, `15m`, `3600` (plain numbers are seconds, like jsonwebtoken). */
export function parseDurationSeconds(value: string): number | undefined {
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2] ?? 's';
  const seconds = unit === 'ms' ? Math.floor(amount / 1000) : amount * UNIT_SECONDS[unit]!;
  return seconds > 0 ? seconds : undefined;
}

export function validateEnv(raw: RawEnv): AppConfig {
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const v = raw[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  const nodeEnvRaw = value('NODE_ENV') ?? 'development';
  if (!['development', 'test', 'production'].includes(nodeEnvRaw)) {
    problems.push(`NODE_ENV must be development, test or production (got "${nodeEnvRaw}")`);
  }
  const nodeEnv = nodeEnvRaw as NodeEnv;
  const production = nodeEnv === 'production';

  // Development mode is for one machine: on any other listen address the dev secrets are refused as in production.
  // `[::1]` as in a URL is accepted; listen() wants the address without brackets.
  const host = (value('HOST') ?? DEV_DEFAULTS.HOST).replace(/^\[(.*)\]$/, '$1');
  if (!/^([0-9A-Fa-f:.]+|[A-Za-z0-9.-]+)$/.test(host))
    problems.push(`HOST must be an IP address or a host name (got "${host}")`);
  const loopback = isLoopbackHost(host);
  const refusedBecause = `because HOST=${host} is not a loopback address`;

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const v = value(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${v}")`);
      return fallback;
    }
    return n;
  };

  const httpUrl = (name: string, fallback: string): string => {
    const v = value(name) ?? fallback;
    try {
      const url = new URL(v);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    } catch {
      problems.push(`${name} must be an http(s) URL (got "${v}")`);
    }
    return v.replace(/\/+$/, '');
  };

  // Handed to browsers and named in the CSP: a plain ws(s) URL, nothing that could smuggle credentials or markup.
  const webSocketUrl = (name: string): string | undefined => {
    const v = value(name);
    if (v === undefined) return undefined;
    try {
      const url = new URL(v);
      if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error('protocol');
      if (url.username || url.password || url.search || url.hash) throw new Error('extras');
      return url.href.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be a ws:// or wss:// URL without credentials, query or fragment (got "${v}")`);
      return undefined;
    }
  };

  // A secret: dev default in development on loopback; in production, or on a non-loopback HOST, it must be
  // set and differ from the dev default.
  const secret = (name: (typeof PRODUCTION_SECRETS)[number], minLength: number): string => {
    const v = value(name);
    const devDefault = DEV_DEFAULTS[name];
    if (production) {
      if (v === undefined) problems.push(`${name} is required when NODE_ENV=production`);
      else if (v === devDefault)
        problems.push(`${name} is the development default; set a real secret when NODE_ENV=production`);
      else if (v.length < minLength)
        problems.push(`${name} must be at least ${minLength} characters when NODE_ENV=production`);
    } else if (!loopback) {
      if (v === undefined || v === devDefault)
        problems.push(`${name}: the development default is refused ${refusedBecause}; set it explicitly`);
      else if (v.length < minLength)
        problems.push(`${name} must be at least ${minLength} characters ${refusedBecause}`);
    }
    return v ?? devDefault;
  };

  const flag = (name: string, fallback: boolean): boolean => {
    const v = value(name);
    if (v === undefined) return fallback;
    if (v !== 'true' && v !== 'false') {
      problems.push(`${name} must be true or false (got "${v}")`);
      return fallback;
    }
    return v === 'true';
  };

  const databaseUrl = value('DATABASE_URL') ?? DEV_DEFAULTS.DATABASE_URL;
  if (!/^sqlite:.+/.test(databaseUrl) && !/^(mysql|mariadb):\/\/.+/.test(databaseUrl)) {
    problems.push('DATABASE_URL must be sqlite:<file> or mysql://user:pass@host:port/db');
  } else if (databaseUrl.startsWith('mysql') || databaseUrl.startsWith('mariadb')) {
    try {
      if (new URL(databaseUrl).pathname.length < 2) problems.push('DATABASE_URL must name a database (mysql://…/<db>)');
    } catch {
      problems.push('DATABASE_URL is not a valid mysql:// URL');
    }
  }

  const jwtExpiresIn = value('JWT_EXPIRES_IN') ?? DEV_DEFAULTS.JWT_EXPIRES_IN;
  const jwtExpiresInSeconds = parseDurationSeconds(jwtExpiresIn);
  if (jwtExpiresInSeconds === undefined)
    problems.push(`JWT_EXPIRES_IN must be a duration such as 1h, 15m or 3600 (got "${jwtExpiresIn}")`);

  const refreshExpiresIn = value('REFRESH_TOKEN_EXPIRES_IN') ?? DEV_DEFAULTS.REFRESH_TOKEN_EXPIRES_IN;
  const refreshTokenExpiresInSeconds = parseDurationSeconds(refreshExpiresIn);
  if (refreshTokenExpiresInSeconds === undefined)
    problems.push(`REFRESH_TOKEN_EXPIRES_IN must be a duration such as 14d, 12h or 3600 (got "${refreshExpiresIn}")`);

  const awsRegion = value('AWS_REGION') ?? DEV_DEFAULTS.AWS_REGION;
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(awsRegion))
    problems.push(`AWS_REGION must look like us-east-1 (got "${awsRegion}")`);

  let awsAccessKeyId = value('AWS_ACCESS_KEY_ID');
  let awsSecretAccessKey = value('AWS_SECRET_ACCESS_KEY');
  if ((awsAccessKeyId === undefined) !== (awsSecretAccessKey === undefined)) {
    problems.push('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together');
  }
  if (production) {
    // On AWS the IAM role signs; explicit keys are allowed but never the public dev ones.
    if (awsAccessKeyId === DEV_DEFAULTS.AWS_ACCESS_KEY_ID)
      problems.push('AWS_ACCESS_KEY_ID is the development default; refused when NODE_ENV=production');
    if (awsSecretAccessKey === DEV_DEFAULTS.AWS_SECRET_ACCESS_KEY)
      problems.push('AWS_SECRET_ACCESS_KEY is the development default; refused when NODE_ENV=production');
  } else if (!loopback) {
    // As in production: unset means the SDK's own credentials (an IAM role), never the public dev pair.
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const) {
      if (value(name) === DEV_DEFAULTS[name])
        problems.push(`${name}: the development default is refused ${refusedBecause}; set it explicitly`);
    }
  } else if (awsAccessKeyId === undefined && awsSecretAccessKey === undefined) {
    awsAccessKeyId = DEV_DEFAULTS.AWS_ACCESS_KEY_ID;
    awsSecretAccessKey = DEV_DEFAULTS.AWS_SECRET_ACCESS_KEY;
  }

  const rateLimit = (name: string, fallback: RateLimitSetting): RateLimitSetting => {
    const v = value(name);
    if (v === undefined) return fallback;
    const parsed = parseRateLimit(v, fallback.windowMs);
    if (!parsed)
      problems.push(
        `${name} must be a count (1 to 1000000) with an optional window up to 24h, such as 10, 10/1m or 10/s (got "${v}")`,
      );
    return parsed ?? fallback;
  };
  // LOGIN_RATE_WINDOW_MS predates the window in the value; it still sets the window of a plain count.
  const loginWindowMs = integer('LOGIN_RATE_WINDOW_MS', DEV_DEFAULTS.LOGIN_RATE_WINDOW_MS, 1, 86_400_000);
  if (value('LOGIN_RATE_WINDOW_MS') !== undefined && value('LOGIN_RATE_LIMIT')?.includes('/')) {
    problems.push(
      'LOGIN_RATE_WINDOW_MS cannot be combined with a window in LOGIN_RATE_LIMIT (such as 10/1m); set one of them',
    );
  }
  const loginRateLimit = rateLimit('LOGIN_RATE_LIMIT', {
    limit: DEV_DEFAULTS.LOGIN_RATE_LIMIT,
    windowMs: loginWindowMs,
  });

  // Express's 'trust proxy' hop count. `true` (every hop) is refused: then any client could name its own IP.
  const trustProxyRaw = value('TRUST_PROXY') ?? 'off';
  let trustProxyHops = 0;
  if (/^\d+$/.test(trustProxyRaw) && Number(trustProxyRaw) <= 10) trustProxyHops = Number(trustProxyRaw);
  else if (!['off', 'false'].includes(trustProxyRaw.toLowerCase())) {
    problems.push(
      `TRUST_PROXY must be off or the number of proxy hops in front of the API, 0 to 10 (behind an ALB: 1) (got "${trustProxyRaw}")`,
    );
  }

  // A bearer token: compared as given, so no whitespace (a copy-paste newline would lock Prometheus out silently).
  const metricsToken = value('METRICS_TOKEN');
  if (metricsToken !== undefined && (metricsToken.length < METRICS_TOKEN_MIN_LENGTH || /\s/.test(metricsToken)))
    problems.push(
      `METRICS_TOKEN must be at least ${METRICS_TOKEN_MIN_LENGTH} characters without spaces when set (got ${metricsToken.length} characters)`,
    );

  const logLevel = (value('LOG_LEVEL') ?? DEV_DEFAULTS.LOG_LEVEL) as LogLevelSetting;
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  // A person reads `npm start`'s lines; a log pipeline reads production's.
  const logFormat = (value('LOG_FORMAT') ?? (nodeEnv === 'development' ? 'text' : 'json')) as LogFormat;
  if (!LOG_FORMATS.includes(logFormat))
    problems.push(`LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')} (got "${logFormat}")`);

  const config: AppConfig = {
    nodeEnv,
    databaseUrl,
    host,
    loopback,
    port: integer('PORT', DEV_DEFAULTS.PORT, 0, 65535),
    gatewayPort: integer('GATEWAY_PORT', DEV_DEFAULTS.GATEWAY_PORT, 0, 65535),
    jwtSecret: secret('JWT_SECRET', 32),
    jwtExpiresIn,
    jwtExpiresInSeconds: jwtExpiresInSeconds ?? 3600,
    refreshTokenExpiresInSeconds: refreshTokenExpiresInSeconds ?? 14 * 86_400,
    gatewayApiKey: secret('GATEWAY_API_KEY', 16),
    serviceApiKey: secret('SERVICE_API_KEY', 16),
    apigwEndpoint: httpUrl('APIGW_ENDPOINT', DEV_DEFAULTS.APIGW_ENDPOINT),
    apiBaseUrl: httpUrl('API_BASE_URL', DEV_DEFAULTS.API_BASE_URL),
    publicWebSocketUrl: webSocketUrl('PUBLIC_WEBSOCKET_URL'),
    awsRegion,
    awsAccessKeyId,
    awsSecretAccessKey,
    loginRateLimit,
    registerRateLimit: rateLimit('REGISTER_RATE_LIMIT', DEV_DEFAULTS.REGISTER_RATE_LIMIT),
    bidRateLimit: rateLimit('BID_RATE_LIMIT', DEV_DEFAULTS.BID_RATE_LIMIT),
    maxConnectionsPerUser: integer('MAX_CONNECTIONS_PER_USER', DEV_DEFAULTS.MAX_CONNECTIONS_PER_USER, 1, 100_000),
    trustProxyHops,
    metricsToken,
    // libuv's own variable (default 4, at most 1024): argon2 runs on that pool, and so do fs and DNS.
    passwordHashConcurrency: Math.max(1, Math.floor(integer('UV_THREADPOOL_SIZE', 4, 1, 1024) / 2)),
    logLevel,
    logFormat,
    apiDocs: flag('API_DOCS', !production),
    seedDemoData: nodeEnv === 'development' && loopback,
  };
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return Object.freeze(config);
}
