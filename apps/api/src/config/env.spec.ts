import { describe, it } from '@jest/globals';
import { expect } from '../../../../test/support/expect.js';
import { DEV_DEFAULTS, isLoopbackHost } from '@gavel/config';
import { ConfigValidationError, parseDurationSeconds, parseRateLimit, validateEnv } from './env.js';

const PRODUCTION = {
  NODE_ENV: 'production',
  JWT_SECRET: 'a-production-secret-of-at-least-32-chars',
  GATEWAY_API_KEY: 'production-gateway-key-123',
  SERVICE_API_KEY: 'production-service-key-123',
};

function problemsOf(raw: Record<string, string | undefined>): string[] {
  try {
    validateEnv(raw);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  return [];
}

describe(validateEnv.name, () => {
  it('falls back to the development defaults', () => {
    const config = validateEnv({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      databaseUrl: 'sqlite:data/gavel.sqlite',
      port: 3000,
      gatewayPort: 3001,
      jwtSecret: DEV_DEFAULTS.JWT_SECRET,
      jwtExpiresIn: '1h',
      jwtExpiresInSeconds: 3600,
      gatewayApiKey: DEV_DEFAULTS.GATEWAY_API_KEY,
      serviceApiKey: DEV_DEFAULTS.SERVICE_API_KEY,
      apigwEndpoint: 'http://127.0.0.1:3001',
      apiBaseUrl: 'http://127.0.0.1:3000',
      awsRegion: 'us-east-1',
      awsAccessKeyId: DEV_DEFAULTS.AWS_ACCESS_KEY_ID,
      awsSecretAccessKey: DEV_DEFAULTS.AWS_SECRET_ACCESS_KEY,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable of the contract', () => {
    const config = validateEnv({
      DATABASE_URL: 'mysql://gavel:pw@db:3306/gavel',
      PORT: '8080',
      GATEWAY_PORT: '8081',
      JWT_EXPIRES_IN: '15m',
      APIGW_ENDPOINT: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/',
      API_BASE_URL: 'http://api:3000',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
    expect(config).toMatchObject({
      databaseUrl: 'mysql://gavel:pw@db:3306/gavel',
      port: 8080,
      gatewayPort: 8081,
      jwtExpiresInSeconds: 900,
      apigwEndpoint: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
      apiBaseUrl: 'http://api:3000',
      awsRegion: 'eu-west-1',
      awsAccessKeyId: 'AKIAEXAMPLE',
    });
  });

  it('accepts a production configuration with real secrets and no AWS keys (IAM role)', () => {
    const config = validateEnv(PRODUCTION);
    expect(config.nodeEnv).toBe('production');
    expect(config.awsAccessKeyId).toBeUndefined();
  });

  it.each(['JWT_SECRET', 'GATEWAY_API_KEY', 'SERVICE_API_KEY'] as const)(
    'refuses a production start with the development %s',
    (name) => {
      const problems = problemsOf({ ...PRODUCTION, [name]: DEV_DEFAULTS[name] });
      expect(problems).toEqual([expect.stringContaining(name)]);
      expect(problems[0]).toMatch(/development default/);
    },
  );

  it.each(['JWT_SECRET', 'GATEWAY_API_KEY', 'SERVICE_API_KEY'] as const)(
    'refuses a production start without %s',
    (name) => {
      expect(problemsOf({ ...PRODUCTION, [name]: undefined })).toEqual([
        `${name} is required when NODE_ENV=production`,
      ]);
    },
  );

  it('refuses a production JWT_SECRET shorter than 32 characters, and the dev AWS credentials', () => {
    expect(problemsOf({ ...PRODUCTION, JWT_SECRET: 'x'.repeat(31) })).toEqual([
      'JWT_SECRET must be at least 32 characters when NODE_ENV=production',
    ]);
    const problems = problemsOf({
      ...PRODUCTION,
      AWS_ACCESS_KEY_ID: DEV_DEFAULTS.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: DEV_DEFAULTS.AWS_SECRET_ACCESS_KEY,
    });
    expect(problems.join('\n')).toMatch(/AWS_ACCESS_KEY_ID[\s\S]*AWS_SECRET_ACCESS_KEY/);
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({
      NODE_ENV: 'staging',
      PORT: 'eighty',
      GATEWAY_PORT: '70000',
      DATABASE_URL: 'postgres://x',
      JWT_EXPIRES_IN: 'soon',
      REFRESH_TOKEN_EXPIRES_IN: 'forever',
      APIGW_ENDPOINT: 'ftp://x',
      API_BASE_URL: 'not a url',
      AWS_REGION: 'Mars',
      AWS_ACCESS_KEY_ID: 'only-one-half',
      LOG_LEVEL: 'loud',
    });
    for (const name of [
      'NODE_ENV',
      'PORT',
      'GATEWAY_PORT',
      'DATABASE_URL',
      'JWT_EXPIRES_IN',
      'REFRESH_TOKEN_EXPIRES_IN',
      'APIGW_ENDPOINT',
      'API_BASE_URL',
      'AWS_REGION',
      'AWS_ACCESS_KEY_ID',
      'LOG_LEVEL',
    ]) {
      expect(
        problems.some((p) => p.startsWith(name)),
        name,
      ).toBe(true);
    }
    expect(() => validateEnv({ PORT: 'x' })).toThrow(/PORT must be an integer/);
  });

  it('takes PUBLIC_WEBSOCKET_URL as a ws(s) URL without credentials, query or fragment; unset, the page URL is derived', () => {
    expect(validateEnv({}).publicWebSocketUrl).toBeUndefined();
    expect(
      validateEnv({ PUBLIC_WEBSOCKET_URL: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod/' })
        .publicWebSocketUrl,
    ).toBe('wss://abc123.execute-api.eu-west-1.amazonaws.com/prod');
    expect(validateEnv({ PUBLIC_WEBSOCKET_URL: 'ws://127.0.0.1:4001' }).publicWebSocketUrl).toBe('ws://127.0.0.1:4001');
    for (const bad of ['https://abc.example/prod', 'not a url', 'ws://user:pw@h', 'ws://h/?a=1', 'ws://h/#x']) {
      expect(problemsOf({ PUBLIC_WEBSOCKET_URL: bad }), bad).toEqual([
        expect.stringMatching(/^PUBLIC_WEBSOCKET_URL must be a ws:\/\/ or wss:\/\/ URL/),
      ]);
    }
  });

  it('logs readable lines in development and JSON lines elsewhere unless LOG_FORMAT says otherwise', () => {
    expect(validateEnv({}).logFormat).toBe('text');
    expect(validateEnv({ NODE_ENV: 'test' }).logFormat).toBe('json');
    expect(validateEnv({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(problemsOf({ LOG_FORMAT: 'pretty' })).toEqual([expect.stringContaining('LOG_FORMAT')]);
  });

  it('defaults the limits of contract §3: 10/min per IP + e-mail, 20/min per IP, 10/s per user, 20 connections, no proxy trusted', () => {
    expect(validateEnv({})).toMatchObject({
      loginRateLimit: { limit: 10, windowMs: 60_000 },
      registerRateLimit: { limit: 20, windowMs: 60_000 },
      bidRateLimit: { limit: 10, windowMs: 1_000 },
      maxConnectionsPerUser: 20,
      trustProxyHops: 0,
      passwordHashConcurrency: 2,
    });
  });

  it('reads the limits: a plain count keeps its window, count/window sets both; TRUST_PROXY is a hop count', () => {
    const config = validateEnv({
      LOGIN_RATE_LIMIT: '5',
      REGISTER_RATE_LIMIT: '3/10s',
      BID_RATE_LIMIT: '2/s',
      MAX_CONNECTIONS_PER_USER: '3',
      TRUST_PROXY: '1',
      UV_THREADPOOL_SIZE: '8',
    });
    expect(config).toMatchObject({
      loginRateLimit: { limit: 5, windowMs: 60_000 },
      registerRateLimit: { limit: 3, windowMs: 10_000 },
      bidRateLimit: { limit: 2, windowMs: 1_000 },
      maxConnectionsPerUser: 3,
      trustProxyHops: 1,
      passwordHashConcurrency: 4,
    });
    expect(validateEnv({ LOGIN_RATE_LIMIT: '4', LOGIN_RATE_WINDOW_MS: '5000' }).loginRateLimit).toEqual({
      limit: 4,
      windowMs: 5000,
    });
    expect(validateEnv({ TRUST_PROXY: 'off' }).trustProxyHops).toBe(0);
    expect(validateEnv({ TRUST_PROXY: '0' }).trustProxyHops).toBe(0);
  });

  it.each([
    ['LOGIN_RATE_LIMIT', '0'],
    ['LOGIN_RATE_LIMIT', 'ten'],
    ['REGISTER_RATE_LIMIT', '20/0s'],
    ['REGISTER_RATE_LIMIT', '20 per minute'],
    ['BID_RATE_LIMIT', '10/2d'],
    ['BID_RATE_LIMIT', '-1'],
    ['MAX_CONNECTIONS_PER_USER', '0'],
    ['MAX_CONNECTIONS_PER_USER', 'many'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', '11'],
    ['TRUST_PROXY', '10.0.0.0/8'],
    ['UV_THREADPOOL_SIZE', '0'],
    ['METRICS_TOKEN', 'short'],
    ['METRICS_TOKEN', 'a token with spaces in it, long enough'],
  ])('refuses %s=%j, naming it', (name, value) => {
    expect(problemsOf({ [name]: value })).toEqual([expect.stringContaining(name)]);
  });

  it('reads METRICS_TOKEN: unset leaves /metrics open, a long enough token guards it', () => {
    expect(validateEnv({}).metricsToken).toBeUndefined();
    expect(validateEnv({ METRICS_TOKEN: 'prometheus-scrape-token-0123456789' }).metricsToken).toBe(
      'prometheus-scrape-token-0123456789',
    );
  });

  it('refuses a login window set twice', () => {
    expect(problemsOf({ LOGIN_RATE_LIMIT: '10/1m', LOGIN_RATE_WINDOW_MS: '60000' })).toEqual([
      expect.stringContaining('LOGIN_RATE_WINDOW_MS'),
    ]);
  });

  it('requires a database name in a MySQL URL', () => {
    expect(problemsOf({ DATABASE_URL: 'mysql://root@localhost:3306' })).toEqual([
      expect.stringContaining('DATABASE_URL'),
    ]);
    expect(problemsOf({ DATABASE_URL: 'mariadb://root@localhost:3306/gavel' })).toEqual([]);
  });
});

describe('HOST and development mode', () => {
  const EXPLICIT = {
    JWT_SECRET: 'a-real-secret-of-at-least-32-characters',
    GATEWAY_API_KEY: 'a-real-gateway-key-01',
    SERVICE_API_KEY: 'a-real-service-key-01',
  };

  it('listens on 127.0.0.1 by default, with the dev defaults, the docs and the demo seed', () => {
    expect(validateEnv({})).toMatchObject({ host: '127.0.0.1', loopback: true, apiDocs: true, seedDemoData: true });
    expect(validateEnv({ HOST: '::1' })).toMatchObject({ host: '::1', loopback: true, seedDemoData: true });
    expect(validateEnv({ HOST: '[::1]' }).host).toBe('::1');
  });

  it.each(['0.0.0.0', '::', '10.0.0.5', 'api.example.com'])(
    'refuses every dev secret on HOST=%s, naming each',
    (host) => {
      const problems = problemsOf({ HOST: host, DATABASE_URL: 'mysql://gavel:pw@db:3306/gavel' });
      for (const name of ['JWT_SECRET', 'GATEWAY_API_KEY', 'SERVICE_API_KEY']) {
        expect(problems).toContain(
          `${name}: the development default is refused because HOST=${host} is not a loopback address; set it explicitly`,
        );
      }
      // Spelled out, the dev value is refused too.
      expect(problemsOf({ HOST: host, ...EXPLICIT, JWT_SECRET: DEV_DEFAULTS.JWT_SECRET })).toEqual([
        `JWT_SECRET: the development default is refused because HOST=${host} is not a loopback address; set it explicitly`,
      ]);
    },
  );

  it('on a non-loopback HOST, takes explicit secrets but never seeds the demo users nor uses the dev AWS pair', () => {
    const config = validateEnv({ HOST: '0.0.0.0', ...EXPLICIT });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      loopback: false,
      nodeEnv: 'development',
      seedDemoData: false,
      jwtSecret: EXPLICIT.JWT_SECRET,
    });
    expect(config.awsAccessKeyId).toBeUndefined();
    expect(
      problemsOf({
        HOST: '0.0.0.0',
        ...EXPLICIT,
        AWS_ACCESS_KEY_ID: DEV_DEFAULTS.AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: DEV_DEFAULTS.AWS_SECRET_ACCESS_KEY,
      }),
    ).toEqual([
      'AWS_ACCESS_KEY_ID: the development default is refused because HOST=0.0.0.0 is not a loopback address; set it explicitly',
      'AWS_SECRET_ACCESS_KEY: the development default is refused because HOST=0.0.0.0 is not a loopback address; set it explicitly',
    ]);
    expect(problemsOf({ HOST: '0.0.0.0', ...EXPLICIT, SERVICE_API_KEY: 'short' })).toEqual([
      expect.stringMatching(/^SERVICE_API_KEY must be at least 16 characters because HOST=0.0.0.0/),
    ]);
  });

  it('serves /docs in production only with API_DOCS=true', () => {
    const production = { NODE_ENV: 'production', ...EXPLICIT };
    expect(validateEnv(production).apiDocs).toBe(false);
    expect(validateEnv({ ...production, API_DOCS: 'true' }).apiDocs).toBe(true);
    expect(validateEnv({ API_DOCS: 'false' }).apiDocs).toBe(false);
    expect(problemsOf({ API_DOCS: 'yes' })).toEqual(['API_DOCS must be true or false (got "yes")']);
  });

  it('rejects a HOST that is neither an address nor a name', () => {
    expect(problemsOf({ HOST: 'http://0.0.0.0' })[0]).toMatch(/^HOST must be an IP address or a host name/);
  });
});

describe(isLoopbackHost.name, () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    'localhost',
    'LOCALHOST',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
  ])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });
  it.each([
    '0.0.0.0',
    '::',
    '[::]',
    '10.0.0.1',
    '128.0.0.1',
    '127.0.0.256',
    '::ffff:10.0.0.1',
    '::2',
    'localhost.example.com',
    'gavel.test',
    '',
  ])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe(parseDurationSeconds.name, () => {
  it.each([
    ['3600', 3600],
    ['1h', 3600],
    ['15m', 900],
    ['30s', 30],
    ['7d', 604800],
    ['90000ms', 90],
  ])('%s → %i seconds', (input, seconds) => expect(parseDurationSeconds(input)).toBe(seconds));

  it.each(['', '0', 'soon', '1w', '-5', '1.5h'])('rejects %j', (input) =>
    expect(parseDurationSeconds(input)).toBeUndefined(),
  );
});

describe(parseRateLimit.name, () => {
  it.each([
    ['10', { limit: 10, windowMs: 60_000 }],
    ['10/1m', { limit: 10, windowMs: 60_000 }],
    ['10/60s', { limit: 10, windowMs: 60_000 }],
    ['10/s', { limit: 10, windowMs: 1_000 }],
    ['20 / 500ms', { limit: 20, windowMs: 500 }],
    ['100/1h', { limit: 100, windowMs: 3_600_000 }],
  ])('%s → %j', (input, expected) => expect(parseRateLimit(input, 60_000)).toEqual(expected));

  it.each(['', '0', '1.5', '10/', '10/1d', '10/25h', '10/0s', 'x/s', '2000000'])('rejects %j', (input) =>
    expect(parseRateLimit(input, 60_000)).toBeUndefined(),
  );
});
