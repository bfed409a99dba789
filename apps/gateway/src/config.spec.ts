import { describe, expect, it } from '@jest/globals';
import { DEV_DEFAULTS } from '../../api/src/config/dev-defaults.js';
import { loadGatewayConfig } from './config.js';

describe(loadGatewayConfig.name, () => {
  it('uses the contract defaults in development', () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({
      port: 3001,
      host: '127.0.0.1',
      stage: 'dev',
      region: 'us-east-1',
      credentials: { accessKeyId: DEV_DEFAULTS.AWS_ACCESS_KEY_ID, secretAccessKey: DEV_DEFAULTS.AWS_SECRET_ACCESS_KEY },
      lambdaEnvironment: { API_BASE_URL: 'http://127.0.0.1:3000', GATEWAY_API_KEY: DEV_DEFAULTS.GATEWAY_API_KEY },
      limits: {},
      log: true,
    });
  });

  it('reads every variable, limits included', () => {
    const config = loadGatewayConfig({
      GATEWAY_PORT: '4001',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AK',
      AWS_SECRET_ACCESS_KEY: 'SK',
      API_BASE_URL: 'http://api:3000',
      GATEWAY_API_KEY: 'key',
      GATEWAY_IDLE_TIMEOUT_MS: '1000',
      GATEWAY_MAX_FRAME_BYTES: '2048',
      NODE_ENV: 'test',
    });
    expect(config).toMatchObject({
      port: 4001,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
      lambdaEnvironment: { API_BASE_URL: 'http://api:3000', GATEWAY_API_KEY: 'key' },
      limits: { idleTimeoutMs: 1000, maxFrameBytes: 2048 },
      log: false,
    });
  });

  it.each([
    [{ GATEWAY_PORT: 'x' }, /GATEWAY_PORT/],
    [{ GATEWAY_PORT: '70000' }, /GATEWAY_PORT/],
    [{ GATEWAY_MAX_MESSAGE_BYTES: '-5' }, /GATEWAY_MAX_MESSAGE_BYTES must be a positive integer/],
    [{ GATEWAY_INTEGRATION_TIMEOUT_MS: '1.5' }, /GATEWAY_INTEGRATION_TIMEOUT_MS/],
    [{ API_BASE_URL: 'ftp://x' }, /API_BASE_URL/],
    [{ GATEWAY_STAGE: 'a/b' }, /GATEWAY_STAGE/],
  ])('stops on a bad value, naming the variable (%o)', (env, message) => {
    expect(() => loadGatewayConfig(env)).toThrow(message);
  });

  it('refuses missing or development secrets in production', () => {
    expect(() => loadGatewayConfig({ NODE_ENV: 'production' })).toThrow(/AWS_ACCESS_KEY_ID must be set explicitly/);
    const env = { NODE_ENV: 'production', AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK', GATEWAY_API_KEY: DEV_DEFAULTS.GATEWAY_API_KEY };
    expect(() => loadGatewayConfig(env)).toThrow(/GATEWAY_API_KEY must be set explicitly/);
    expect(loadGatewayConfig({ ...env, GATEWAY_API_KEY: 'real' }).lambdaEnvironment.GATEWAY_API_KEY).toBe('real');
  });
});
