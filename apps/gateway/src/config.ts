/**
 * The local gateway's configuration (contract §3), read and validated once at start: a bad value
 * stops start-up with a message naming the variable. Secrets default to the shared dev values,
 * which production refuses, and so does a GATEWAY_HOST that is not loopback (development is for one machine).
 */
import { DEV_DEFAULTS, isLoopbackHost } from '@gavel/config';
import { DEFAULT_LIMITS, limitsConflict, type GatewayLimits } from './limits.js';
import type { SigV4Credentials } from './management/sigv4-verifier.js';

export interface GatewayConfig {
  port: number;
  host: string;
  stage: string;
  region: string;
  credentials: SigV4Credentials;
  /** Handed to the Lambdas' environment, as on AWS. */
  lambdaEnvironment: { API_BASE_URL: string; GATEWAY_API_KEY: string };
  limits: Partial<GatewayLimits>;
  log: boolean;
}

export class GatewayConfigError extends Error {
  override readonly name = 'GatewayConfigError';
}

/** Each quota's variable; unset means AWS's value. */
export const LIMIT_VARIABLES: Record<keyof GatewayLimits, string> = {
  maxFrameBytes: 'GATEWAY_MAX_FRAME_BYTES',
  maxMessageBytes: 'GATEWAY_MAX_MESSAGE_BYTES',
  idleTimeoutMs: 'GATEWAY_IDLE_TIMEOUT_MS',
  maxConnectionDurationMs: 'GATEWAY_MAX_CONNECTION_MS',
  integrationTimeoutMs: 'GATEWAY_INTEGRATION_TIMEOUT_MS',
  newConnectionsPerSecond: 'GATEWAY_NEW_CONNECTIONS_PER_SECOND',
  maxBufferedBytes: 'GATEWAY_MAX_BUFFERED_BYTES',
  slowReaderTimeoutMs: 'GATEWAY_SLOW_READER_MS',
  maxQueuedMessages: 'GATEWAY_MAX_QUEUED_MESSAGES',
  maxQueuedBytes: 'GATEWAY_MAX_QUEUED_BYTES',
};

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const production = env.NODE_ENV === 'production';
  const host = env.GATEWAY_HOST?.trim() || DEV_DEFAULTS.GATEWAY_HOST;
  const loopback = isLoopbackHost(host);
  // Every refused secret is named at once, so one restart fixes them all.
  const refused: string[] = [];
  const secret = (name: 'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY' | 'GATEWAY_API_KEY'): string => {
    const value = env[name] || undefined;
    if (value === undefined || value === DEV_DEFAULTS[name]) {
      if (production)
        refused.push(`${name} must be set explicitly (not to the development default) when NODE_ENV=production`);
      else if (!loopback)
        refused.push(
          `${name}: the development default is refused because GATEWAY_HOST=${host} is not a loopback address; set it explicitly`,
        );
    }
    return value ?? DEV_DEFAULTS[name];
  };
  const credentials = { accessKeyId: secret('AWS_ACCESS_KEY_ID'), secretAccessKey: secret('AWS_SECRET_ACCESS_KEY') };
  const gatewayApiKey = secret('GATEWAY_API_KEY');
  if (refused.length > 0) throw new GatewayConfigError(refused.join('\n  - '));

  const limits: Partial<GatewayLimits> = {};
  for (const [key, name] of Object.entries(LIMIT_VARIABLES) as Array<[keyof GatewayLimits, string]>) {
    if (env[name]) limits[key] = positiveInteger(env[name], name);
  }
  const conflict = limitsConflict({ ...DEFAULT_LIMITS, ...limits });
  if (conflict) throw new GatewayConfigError(`${LIMIT_VARIABLES[conflict.limit]} ${conflict.problem}`);

  const stage = env.GATEWAY_STAGE || 'dev';
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(stage))
    throw new GatewayConfigError(`GATEWAY_STAGE must be letters, digits, - or _ (got "${stage}")`);
  const apiBaseUrl = env.API_BASE_URL || DEV_DEFAULTS.API_BASE_URL;
  if (!/^https?:\/\/[^/]+/.test(apiBaseUrl))
    throw new GatewayConfigError(`API_BASE_URL must be an http(s) URL (got "${apiBaseUrl}")`);

  return {
    port: env.GATEWAY_PORT ? port(env.GATEWAY_PORT) : DEV_DEFAULTS.GATEWAY_PORT,
    host,
    stage,
    region: env.AWS_REGION || DEV_DEFAULTS.AWS_REGION,
    credentials,
    lambdaEnvironment: { API_BASE_URL: apiBaseUrl, GATEWAY_API_KEY: gatewayApiKey },
    limits,
    log: env.GATEWAY_LOG ? env.GATEWAY_LOG !== 'off' : env.NODE_ENV !== 'test',
  };
}

function positiveInteger(value: string, name: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0)
    throw new GatewayConfigError(`${name} must be a positive integer (got "${value}")`);
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 0 || n > 65535)
    throw new GatewayConfigError(`GATEWAY_PORT must be a port number 0-65535 (got "${value}")`);
  return n;
}
