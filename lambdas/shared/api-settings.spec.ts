import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ApiSettingsError, clearApiSettingsCache, loadApiSettings } from './api-settings.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gavel/prod/lambda-AbCdEf';
const SESSION_TOKEN = 'session-token-of-the-role';

/** Stands in for the Parameters and Secrets extension: same path, query, header check and answer shape. */
let secretString = JSON.stringify({ apiBaseUrl: 'https://api.example.com', gatewayApiKey: 'key-1' });
let status = 200;
let requests = 0;
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests += 1;
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.headers['x-aws-parameters-secrets-token'] !== SESSION_TOKEN) {
      res.writeHead(401).end('missing token');
      return;
    }
    if (url.pathname !== '/secretsmanager/get' || url.searchParams.get('secretId') !== SECRET_ARN) {
      res.writeHead(400).end('ResourceNotFoundException');
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(
      status === 200
        ? JSON.stringify({ ARN: SECRET_ARN, Name: 'gavel/prod/lambda', SecretString: secretString })
        : 'AccessDeniedException',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
}, 120_000);

beforeEach(() => {
  clearApiSettingsCache();
  secretString = JSON.stringify({ apiBaseUrl: 'https://api.example.com', gatewayApiKey: 'key-1' });
  status = 200;
  requests = 0;
});

const onLambda = () => ({
  API_SETTINGS_SECRET_ID: SECRET_ARN,
  AWS_SESSION_TOKEN: SESSION_TOKEN,
  PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port),
});

describe(loadApiSettings.name, () => {
  it('uses API_BASE_URL and GATEWAY_API_KEY when no secret is configured (local gateway)', async () => {
    const settings = await loadApiSettings({ env: { API_BASE_URL: 'http://127.0.0.1:3000', GATEWAY_API_KEY: 'dev' } });
    expect(settings).toEqual({ baseUrl: 'http://127.0.0.1:3000', apiKey: 'dev' });
  });

  it('names every missing variable', async () => {
    await expect(loadApiSettings({ env: {} })).rejects.toThrow(/API_BASE_URL, GATEWAY_API_KEY/);
  });

  it('reads the secret through the extension with the session token', async () => {
    const settings = await loadApiSettings({ env: onLambda() });
    expect(settings).toEqual({ baseUrl: 'https://api.example.com', apiKey: 'key-1' });
    expect(requests).toBe(1);
  });

  it('reuses the secret within the cache time and re-reads it on refresh (key rotation)', async () => {
    let clock = 0;
    await loadApiSettings({ env: onLambda(), now: () => clock });
    secretString = JSON.stringify({ apiBaseUrl: 'https://api.example.com', gatewayApiKey: 'key-2' });
    clock = 30_000;
    expect((await loadApiSettings({ env: onLambda(), now: () => clock })).apiKey).toBe('key-1');
    expect(requests).toBe(1);
    expect((await loadApiSettings({ env: onLambda(), now: () => clock, refresh: true })).apiKey).toBe('key-2');
    clock = 200_000;
    secretString = JSON.stringify({ apiBaseUrl: 'https://api.example.com', gatewayApiKey: 'key-3' });
    expect((await loadApiSettings({ env: onLambda(), now: () => clock })).apiKey).toBe('key-3');
    expect(requests).toBe(3);
  });

  it("reports the extension's error without caching it", async () => {
    status = 400;
    await expect(loadApiSettings({ env: onLambda() })).rejects.toThrow(/HTTP 400 AccessDeniedException/);
    status = 200;
    expect((await loadApiSettings({ env: onLambda() })).apiKey).toBe('key-1');
  });

  it('rejects a secret of the wrong shape without echoing its value', async () => {
    secretString = 'not-json-super-secret';
    const error = await loadApiSettings({ env: onLambda() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiSettingsError);
    expect((error as Error).message).not.toContain('super-secret');

    secretString = JSON.stringify({ apiBaseUrl: 'https://api.example.com' });
    await expect(loadApiSettings({ env: onLambda() })).rejects.toThrow(/lacks gatewayApiKey/);
  });

  it('explains a missing session token and an unreachable extension', async () => {
    await expect(loadApiSettings({ env: { API_SETTINGS_SECRET_ID: SECRET_ARN } })).rejects.toThrow(/AWS_SESSION_TOKEN/);
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const free = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(free));
      });
    });
    const env = { ...onLambda(), PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(closed) };
    await expect(loadApiSettings({ env })).rejects.toThrow(/extension unreachable/);
  });
});
