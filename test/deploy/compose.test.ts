/**
 * docker-compose.yml, Dockerfile and .dockerignore, checked without a Docker engine: the compose file
 * is parsed and interpolated as `docker compose config` would, and the API's environment is run
 * through the API's own validation (NODE_ENV=production rules included).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { parse } from 'yaml';
import { DEV_DEFAULTS, PRODUCTION_SECRETS } from '@gavel/config';
import { validateEnv } from '../../apps/api/src/config/env.js';
import { LIMIT_VARIABLES, loadGatewayConfig } from '../../apps/gateway/src/config.js';
import { interpolate, MissingComposeVariableError, referencedVariables } from './compose-interpolation.js';

const root = resolve(import.meta.dirname, '../..');
const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(root, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim());
const envExample = readFileSync(join(root, '.env.example'), 'utf8');

/** The variables the API's configuration knows (contract §3), from its own defaults table (plus those whose default is derived). */
const CONFIG_VARIABLES = new Set<string>(['NODE_ENV', 'PUBLIC_WEBSOCKET_URL', ...Object.keys(DEV_DEFAULTS)]);
/** The local gateway's own variables (apps/gateway/src/config.ts) on top of the shared ones. */
const GATEWAY_ONLY_VARIABLES = new Set([
  'GATEWAY_HOST',
  'GATEWAY_STAGE',
  'GATEWAY_LOG',
  ...Object.values(LIMIT_VARIABLES),
]);
const SECRET_VARIABLES = [...PRODUCTION_SECRETS, 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** A filled-in .env as an operator would write it: random hex secrets. */
const dotEnv: Record<string, string> = {};
let compose: ComposeFile;

beforeAll(() => {
  for (const [name, { required }] of referencedVariables(composeText))
    if (required) dotEnv[name] = randomBytes(24).toString('hex');
  compose = parse(interpolate(composeText, dotEnv)) as ComposeFile;
});

const service = (name: string): Service => {
  const found = compose.services[name];
  expect(found, `service ${name}`).toBeDefined();
  return found!;
};
/** `"3000:3000"` → { host: 3000, container: 3000 }. */
const portMapping = (mapping: string) => {
  const [host, container] = mapping.split(':').map(Number);
  return { host, container };
};

describe('docker-compose.yml', () => {
  it('runs exactly MySQL, the API and the local gateway', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'gateway', 'mysql']);
  });

  it('runs MySQL 8 with a health check and a named volume for its data', () => {
    const mysql = service('mysql');
    expect(mysql.image).toMatch(/^mysql:8(\.|$)/);
    expect(mysql.healthcheck?.test.join(' ')).toContain('mysqladmin ping');
    const dataVolume = mysql.volumes?.find((volume) => volume.endsWith(':/var/lib/mysql'))?.split(':')[0];
    expect(dataVolume).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(dataVolume);
  });

  it('starts the API once MySQL is healthy, from the built main.js (which migrates, then serves)', () => {
    const api = service('api');
    expect(api.build).toBeDefined();
    expect(api.depends_on?.mysql?.condition).toBe('service_healthy');
    expect(api.command).toEqual(['node', 'dist/apps/api/src/main.js']);
    expect(existsSync(join(root, 'apps/api/src/main.ts'))).toBe(true);
    expect(api.healthcheck?.test.join(' ')).toContain(`/health`);
  });

  it('gives the API only variables its configuration knows, and a configuration it accepts in production', () => {
    const api = service('api');
    for (const name of Object.keys(api.environment)) expect(CONFIG_VARIABLES, name).toContain(name);
    expect(api.environment.NODE_ENV).toBe('production');
    const config = validateEnv(api.environment);
    expect(config.databaseUrl).toBe(`mysql://gavel:${dotEnv.MYSQL_PASSWORD}@mysql:3306/gavel`);
    expect(config.jwtSecret).toBe(dotEnv.JWT_SECRET);
    expect(portMapping(api.ports![0]!)).toEqual({ host: 3000, container: config.port });
    // Every interface of the container, and so never development mode: no demo logins even with NODE_ENV=development.
    expect(config.host).toBe('0.0.0.0');
    expect(config.seedDemoData).toBe(false);
    const development = validateEnv(
      parse(interpolate(composeText, { ...dotEnv, NODE_ENV: 'development' })).services.api.environment,
    );
    expect(development).toMatchObject({
      nodeEnv: 'development',
      loopback: false,
      seedDemoData: false,
      jwtSecret: dotEnv.JWT_SECRET,
    });
  });

  it('wires the services by name: the API manages connections on the gateway, the gateway relays to the API', () => {
    const api = validateEnv(service('api').environment);
    const gateway = service('gateway');
    for (const name of Object.keys(gateway.environment)) {
      expect(CONFIG_VARIABLES.has(name) || GATEWAY_ONLY_VARIABLES.has(name), name).toBe(true);
    }
    // The gateway's own validation, in production mode as compose runs it.
    expect(gateway.environment.NODE_ENV).toBe('production');
    const config = loadGatewayConfig(gateway.environment);
    // Every interface of the container: loopback would be unreachable through the port mapping.
    expect(config.host).toBe('0.0.0.0');
    expect(portMapping(gateway.ports![0]!)).toEqual({ host: 3001, container: config.port });
    expect(api.apigwEndpoint).toBe(`http://gateway:${config.port}`);
    expect(config.lambdaEnvironment.API_BASE_URL).toBe(`http://api:${api.port}`);
    expect(config.lambdaEnvironment.GATEWAY_API_KEY).toBe(api.gatewayApiKey);
    expect(config.credentials).toEqual({ accessKeyId: api.awsAccessKeyId, secretAccessKey: api.awsSecretAccessKey });
    expect(config.region).toBe(api.awsRegion);
    expect(gateway.depends_on?.api?.condition).toBe('service_healthy');
    expect(gateway.image).toBe(service('api').image);
    expect(gateway.command).toEqual(['node', 'dist/apps/gateway/src/main.js']);
    expect(existsSync(join(root, 'apps/gateway/src/main.ts'))).toBe(true);
  });

  it('shares one gateway key and one set of signing credentials between API and gateway', () => {
    const api = service('api').environment;
    const gateway = service('gateway').environment;
    for (const name of ['GATEWAY_API_KEY', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
      expect(gateway[name], name).toBeTruthy();
      expect(gateway[name], name).toBe(api[name]);
    }
  });

  it('commits no secret: each comes from .env and compose refuses to start without it', () => {
    const raw = parse(composeText) as ComposeFile;
    for (const serviceName of ['api', 'gateway']) {
      for (const name of SECRET_VARIABLES) {
        const value = raw.services[serviceName]!.environment[name];
        if (value === undefined) continue;
        expect(value, `${serviceName}.${name}`).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
      }
    }
    for (const name of [...PRODUCTION_SECRETS, 'AWS_SECRET_ACCESS_KEY'] as const)
      expect(composeText).not.toContain(DEV_DEFAULTS[name]);
    expect(raw.services.api!.environment.DATABASE_URL).toMatch(/\$\{MYSQL_PASSWORD:\?/);

    expect(() => interpolate(composeText, {})).toThrow(MissingComposeVariableError);
    const { JWT_SECRET: _, ...withoutJwtSecret } = dotEnv;
    expect(() => interpolate(composeText, withoutJwtSecret)).toThrow(/JWT_SECRET/);
    expect(() => interpolate(composeText, { ...dotEnv, JWT_SECRET: '' })).toThrow(/JWT_SECRET/);
  });

  it('documents every required variable in .env.example, with no value filled in', () => {
    const example = new Map(
      envExample
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
    );
    for (const [name, { required }] of referencedVariables(composeText)) {
      if (!required) continue;
      expect(example.has(name), name).toBe(true);
      expect(example.get(name), name).toBe('');
    }
  });
});

describe('Dockerfile', () => {
  const stages = dockerfile
    .split(/^FROM /m)
    .slice(1)
    .map((stage) => `FROM ${stage}`);
  const stageNamed = (name: string) =>
    stages.find((stage) => new RegExp(`^FROM \\S+ AS ${name}\\b`, 'i').test(stage)) ?? '';

  it('builds on node:22-bookworm-slim with all dependencies, then ships production dependencies only', () => {
    for (const stage of stages) expect(stage).toMatch(/^FROM node:22-bookworm-slim\b/);
    expect(stageNamed('build')).toMatch(/RUN npm ci\b(?!.*--omit=dev)/);
    expect(stageNamed('build')).toMatch(/RUN npm run build\b/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);

    const runtime = stages.at(-1)!;
    expect(runtime).not.toMatch(/RUN npm ci(?!.*--omit=dev)/);
    expect(runtime).toMatch(/COPY --from=build \/app\/dist/);
    expect(runtime).toMatch(/^USER node$/m);
    // The image runs in containers: both processes listen on every interface (and so refuse development mode).
    expect(runtime).toMatch(/^ENV HOST=0\.0\.0\.0 GATEWAY_HOST=0\.0\.0\.0$/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/apps\/api\/src\/main\.js"\]$/m);
  });

  it('keeps local modules, build output and secrets out of the build context', () => {
    for (const entry of ['node_modules', 'dist', '.env', 'data', '.git']) expect(dockerignore, entry).toContain(entry);
  });
});
