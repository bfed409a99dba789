/**
 * How the API serves the web client's page: the WebSocket URL written into index.html comes from
 * PUBLIC_WEBSOCKET_URL or the gateway's port on the requested host — never from the page's URL — and the
 * CSP lets the page connect to 'self' and that one origin only.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { type ApiHarness, startApi } from './api-harness.js';

const TEMPLATE =
  '<!doctype html><html><head><meta name="gavel-websocket-url" content="" /><script type="module" src="app.js"></script></head><body></body></html>';

interface Answer {
  status: number;
  body: string;
  csp: string | undefined;
}

/** A GET with a chosen Host header (fetch does not let a caller set it). */
function get(baseUrl: string, path: string, host: string): Promise<Answer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          body: Buffer.concat(chunks).toString('utf8'),
          csp: String(res.headers['content-security-policy'] ?? '') || undefined,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const metaContent = (html: string) => /<meta name="gavel-websocket-url" content="([^"]*)" \/>/.exec(html)?.[1];
const connectSrc = (csp: string | undefined) => csp?.split(';').find((d) => d.startsWith('connect-src'));

describe('the web client page served by the API', () => {
  let webRoot: string;
  let derived: ApiHarness;
  let configured: ApiHarness;

  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'gavel-web-'));
    writeFileSync(join(webRoot, 'index.html'), TEMPLATE);
    writeFileSync(join(webRoot, 'app.js'), 'export {};\n');
    derived = await startApi('sqlite', { GATEWAY_PORT: '4001' }, { webRoot });
    configured = await startApi(
      'sqlite',
      { GATEWAY_PORT: '4001', PUBLIC_WEBSOCKET_URL: 'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod' },
      { webRoot },
    );
  }, 120_000);
  afterAll(async () => {
    await Promise.all([derived?.close(), configured?.close()]);
    rmSync(webRoot, { recursive: true, force: true });
  }, 120_000);

  it('gives the page the gateway port on the host it was loaded from, whatever ?ws= says', async () => {
    for (const path of [
      '/',
      '/index.html',
      '/?ws=ws%3A%2F%2Fattacker.example%3A9999',
      '/index.html?ws=wss://attacker.example',
    ]) {
      const page = await get(derived.baseUrl, path, '127.0.0.1:3000');
      expect(page.status, path).toBe(200);
      expect(metaContent(page.body), path).toBe('ws://127.0.0.1:4001');
      expect(connectSrc(page.csp), path).toBe("connect-src 'self' ws://127.0.0.1:4001");
      expect(page.body + page.csp).not.toContain('attacker');
    }
    // Other answers name no derived origin: a document among them could not use one.
    expect(connectSrc((await get(derived.baseUrl, '/health', '127.0.0.1:3000')).csp)).toBe("connect-src 'self'");
    const byName = await get(derived.baseUrl, '/', 'LocalHost:3000');
    expect(metaContent(byName.body)).toBe('ws://localhost:4001');
    expect(connectSrc(byName.csp)).toBe("connect-src 'self' ws://localhost:4001");
  });

  it('refuses to render the page for a Host header that is not a plain host[:port]', async () => {
    const page = await get(derived.baseUrl, '/', 'user@attacker.example');
    expect(page.status).toBe(400);
    expect(page.body).not.toContain('attacker');
    expect(connectSrc(page.csp)).toBe("connect-src 'self'");
  });

  it('gives PUBLIC_WEBSOCKET_URL when it is set, and the CSP names only its origin', async () => {
    for (const host of ['127.0.0.1:3000', 'attacker.example']) {
      const page = await get(configured.baseUrl, '/?ws=wss://attacker.example', host);
      expect(page.status).toBe(200);
      expect(metaContent(page.body)).toBe('wss://abc123.execute-api.eu-west-1.amazonaws.com/prod');
      expect(connectSrc(page.csp)).toBe("connect-src 'self' wss://abc123.execute-api.eu-west-1.amazonaws.com");
    }
    // The API's own answers carry the same policy.
    expect(connectSrc((await get(configured.baseUrl, '/health', '127.0.0.1:3000')).csp)).toBe(
      "connect-src 'self' wss://abc123.execute-api.eu-west-1.amazonaws.com",
    );
  });

  it('serves the other files of the client as they are', async () => {
    const script = await get(derived.baseUrl, '/app.js', '127.0.0.1:3000');
    expect(script.status).toBe(200);
    expect(script.body).toBe('export {};\n');
  });
});
