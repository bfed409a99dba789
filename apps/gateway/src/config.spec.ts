import { describe, it } from '@jest/globals';
import { expect } from '../../../test/support/expect.js';
import { DEV_DEFAULTS } from '@gavel/config';
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
      GATEWAY_MAX_BUFFERED_BYTES: '262144',
      GATEWAY_SLOW_READER_MS: '500',
      GATEWAY_MAX_QUEUED_MESSAGES: '20',
      GATEWAY_MAX_QUEUED_BYTES: '131072',
      NODE_ENV: 'test',
    });
    expect(config).toMatchObject({
      port: 4001,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
      lambdaEnvironment: { API_BASE_URL: 'http://api:3000', GATEWAY_API_KEY: 'key' },
      limits: {
        idleTimeoutMs: 1000,
        maxFrameBytes: 2048,
        maxBufferedBytes: 262144,
        slowReaderTimeoutMs: 500,
        maxQueuedMessages: 20,
        maxQueuedBytes: 131072,
      },
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
    [{ GATEWAY_MAX_QUEUED_MESSAGES: '0' }, /GATEWAY_MAX_QUEUED_MESSAGES must be a positive integer/],
    [{ GATEWAY_SLOW_READER_MS: 'soon' }, /GATEWAY_SLOW_READER_MS must be a positive integer/],
    [
      { GATEWAY_MAX_BUFFERED_BYTES: '1000' },
      /GATEWAY_MAX_BUFFERED_BYTES must hold at least one whole message \(131072 bytes\)/,
    ],
    [
      { GATEWAY_MAX_FRAME_BYTES: '4096', GATEWAY_MAX_MESSAGE_BYTES: '4096', GATEWAY_MAX_QUEUED_BYTES: '2048' },
      /GATEWAY_MAX_QUEUED_BYTES must hold at least one whole message \(4096 bytes\)/,
    ],
    [{ GATEWAY_MAX_MESSAGE_BYTES: '4096' }, /GATEWAY_MAX_FRAME_BYTES must not exceed the message limit/],
  ])('stops on a bad value, naming the variable (%o)', (env, message) => {
    expect(() => loadGatewayConfig(env)).toThrow(message);
  });

  it('refuses missing or development secrets in production', () => {
    expect(() => loadGatewayConfig({ NODE_ENV: 'production' })).toThrow(/AWS_ACCESS_KEY_ID must be set explicitly/);
    const env = {
      NODE_ENV: 'production',
      AWS_ACCESS_KEY_ID: 'AK',
      AWS_SECRET_ACCESS_KEY: 'SK',
      GATEWAY_API_KEY: DEV_DEFAULTS.GATEWAY_API_KEY,
    };
    expect(() => loadGatewayConfig(env)).toThrow(/GATEWAY_API_KEY must be set explicitly/);
    expect(loadGatewayConfig({ ...env, GATEWAY_API_KEY: 'real' }).lambdaEnvironment.GATEWAY_API_KEY).toBe('real');
  });

  it('refuses the development credentials and key on a GATEWAY_HOST that is not loopback, naming each', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'gavel.example.com']) {
      let message = '';
      try {
        loadGatewayConfig({ GATEWAY_HOST: host, GATEWAY_API_KEY: DEV_DEFAULTS.GATEWAY_API_KEY });
      } catch (error) {
        message = (error as Error).message;
      }
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'GATEWAY_API_KEY']) {
        expect(message, host).toContain(
          `${name}: the development default is refused because GATEWAY_HOST=${host} is not a loopback address`,
        );
      }
    }
    const explicit = {
      GATEWAY_HOST: '0.0.0.0',
      AWS_ACCESS_KEY_ID: 'AK',
      AWS_SECRET_ACCESS_KEY: 'SK',
      GATEWAY_API_KEY: 'real-key',
    };
    expect(loadGatewayConfig(explicit).credentials).toEqual({ accessKeyId: 'AK', secretAccessKey: 'SK' });
  });

  it('keeps the development defaults on loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost']) {
      expect(loadGatewayConfig({ GATEWAY_HOST: host }).credentials.accessKeyId, host).toBe(
        DEV_DEFAULTS.AWS_ACCESS_KEY_ID,
      );
    }
  });
});
