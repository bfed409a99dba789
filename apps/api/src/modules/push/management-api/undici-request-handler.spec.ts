import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest } from '@smithy/protocol-http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UndiciRequestHandler } from './undici-request-handler.js';

describe(UndiciRequestHandler.name, () => {
  let server: Server;
  let port: number;
  const handler = new UndiciRequestHandler({ connections: 2, requestTimeoutMs: 2_000 });
  const bodies: Buffer[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks));
        if (req.url === '/big') {
          // Arrives in many chunks: must be read whole.
          res.writeHead(410, { 'x-amzn-ErrorType': 'GoneException', 'content-type': 'application/json' });
          return res.end(JSON.stringify({ message: 'x'.repeat(200_000) }));
        }
        if (req.url === '/slow') return void setTimeout(() => res.end('late'), 1_000);
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        res.writeHead(200, { 'x-amzn-RequestId': 'req-1' });
        res.end(req.url === '/empty' ? undefined : 'ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  }, 120_000);

  afterAll(async () => {
    await handler.close();
    server.close();
  }, 120_000);

  const request = (path: string, body?: Uint8Array) =>
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path,
      headers: { host: `127.0.0.1:${port}` },
      body,
    });

  it('sends the body bytes and returns status, lower-cased headers (repeated ones joined) and body', async () => {
    const { response } = await handler.handle(request('/ok', Buffer.from('{"type":"pong"}')));
    expect(bodies.at(-1)!.toString()).toBe('{"type":"pong"}');
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-amzn-requestid']).toBe('req-1');
    expect(response.headers['set-cookie']).toBe('a=1, b=2');
    expect(Buffer.from(response.body as Uint8Array).toString()).toBe('ok');
  });

  it('gives an empty answer an empty Uint8Array body', async () => {
    const { response } = await handler.handle(request('/empty'));
    expect(response.body).toBeInstanceOf(Uint8Array);
    expect((response.body as Uint8Array).byteLength).toBe(0);
  });

  it('reads a large error answer whole', async () => {
    const { response } = await handler.handle(request('/big'));
    expect(response.statusCode).toBe(410);
    expect(response.headers['x-amzn-errortype']).toBe('GoneException');
    expect(JSON.parse(Buffer.from(response.body as Uint8Array).toString()).message).toHaveLength(200_000);
  });

  it('honours the SDK abort signal', async () => {
    const controller = new AbortController();
    const pending = handler.handle(request('/slow'), { abortSignal: controller.signal as never });
    controller.abort();
    await expect(pending).rejects.toThrow();
  });

  it('rejects when nothing listens (the caller retries network errors)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const dead = new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: deadPort,
      path: '/',
      headers: {},
    });
    await expect(handler.handle(dead)).rejects.toThrow();
  });
});
