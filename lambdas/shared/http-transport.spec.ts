import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ApiUnavailableError, createApiClient } from './api-client.js';
import { createHttpTransport, HttpTransportError } from './http-transport.js';

/** A loopback API stand-in; each test sets `answer`. Records what arrived and on which socket. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  socket: Socket;
  requestOnSocket: number;
}
let answer: (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;
let seen: Seen[] = [];
const requestsPerSocket = new WeakMap<Socket, number>();
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const count = (requestsPerSocket.get(req.socket) ?? 0) + 1;
      requestsPerSocket.set(req.socket, count);
      const entry = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        socket: req.socket,
        requestOnSocket: count,
      };
      seen.push(entry);
      answer(req, res, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}, 120_000);

beforeEach(() => {
  seen = [];
  answer = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
});

describe(createHttpTransport.name, () => {
  it('sends method, base path + path, headers and a sized body; answers status and text', async () => {
    answer = (_req, res) => res.writeHead(201).end('{"connectionId":"abc="}');
    const send = createHttpTransport(`${base}/stage/`);
    const body = JSON.stringify({ connectionId: 'abc=', userAgent: 'Ünïcødé' });
    const result = await send({
      method: 'POST',
      path: '/socket-connections',
      headers: { 'x-api-key': 'k', 'content-type': 'application/json' },
      body,
      timeoutMs: 2_000,
    });
    expect(result).toEqual({ status: 201, text: '{"connectionId":"abc="}' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/stage/socket-connections', body });
    expect(seen[0]!.headers).toMatchObject({ 'x-api-key': 'k', 'content-length': String(Buffer.byteLength(body)) });
    expect(seen[0]!.headers['transfer-encoding']).toBeUndefined();
  });

  it('keeps the connection alive between calls', async () => {
    const send = createHttpTransport(base);
    for (let i = 0; i < 3; i++) await send({ method: 'DELETE', path: `/x/${i}`, headers: {}, timeoutMs: 2_000 });
    expect(seen.map((s) => s.requestOnSocket)).toEqual([1, 2, 3]);
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
  });

  it('sends again, once, on a fresh connection when the kept-alive one turns out to be closed', async () => {
    // The second request on a socket finds it reset, as when the server's keep-alive timeout fired just before.
    answer = (_req, res, entry) =>
      entry.requestOnSocket > 1 ? entry.socket.destroy() : res.writeHead(200).end('fine');
    const send = createHttpTransport(base);
    expect((await send({ method: 'POST', path: '/a', headers: {}, body: '{}', timeoutMs: 2_000 })).text).toBe('fine');
    expect((await send({ method: 'POST', path: '/b', headers: {}, body: '{}', timeoutMs: 2_000 })).text).toBe('fine');
    expect(seen.map((s) => [s.url, s.requestOnSocket])).toEqual([
      ['/a', 1],
      ['/b', 2],
      ['/b', 1],
    ]);
  });

  it('does not send again when a fresh connection fails', async () => {
    answer = (_req, _res, entry) => entry.socket.destroy();
    const send = createHttpTransport(base);
    const error = await send({ method: 'POST', path: '/a', headers: {}, body: '{}', timeoutMs: 2_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpTransportError);
    expect(error).toMatchObject({ stage: 'request', timedOut: false });
    expect(seen).toHaveLength(1);
  });

  it('times out before the answer and during it, saying which', async () => {
    answer = () => undefined; // never answers
    const send = createHttpTransport(base);
    await expect(send({ method: 'GET', path: '/slow', headers: {}, timeoutMs: 50 })).rejects.toMatchObject({
      name: 'HttpTransportError',
      stage: 'request',
      timedOut: true,
    });
    answer = (_req, res) => {
      res.writeHead(200);
      res.write('{"partial":'); // and nothing more
    };
    await expect(send({ method: 'GET', path: '/stalls', headers: {}, timeoutMs: 50 })).rejects.toMatchObject({
      stage: 'answer',
      timedOut: true,
    });
  });

  it('reports a refused connection and a header no request may carry as request failures', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(
      createHttpTransport(`http://127.0.0.1:${port}`)({ method: 'GET', path: '/', headers: {}, timeoutMs: 2_000 }),
    ).rejects.toMatchObject({
      stage: 'request',
      timedOut: false,
      message: expect.stringMatching(/ECONNREFUSED/),
    });
    await expect(
      createHttpTransport(base)({
        method: 'GET',
        path: '/',
        headers: { authorization: 'Bearer a\r\nx: y' },
        timeoutMs: 2_000,
      }),
    ).rejects.toBeInstanceOf(HttpTransportError);
    expect(seen).toHaveLength(0);
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() => createHttpTransport('ftp://example.com')).toThrow(/Unsupported protocol/);
  });
});

describe(createApiClient.name, () => {
  it('sends the key and JSON, and parses the answer (undefined when it is not JSON)', async () => {
    const client = createApiClient({ baseUrl: base, apiKey: 'gateway-key' });
    expect(
      await client.request({ method: 'POST', path: '/p', body: { a: 1 }, headers: { authorization: 'Bearer t' } }),
    ).toEqual({ status: 200, body: { ok: true } });
    expect(seen[0]!.headers).toMatchObject({
      'x-api-key': 'gateway-key',
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: 'Bearer t',
    });
    expect(JSON.parse(seen[0]!.body)).toEqual({ a: 1 });
    answer = (_req, res) => res.writeHead(502).end('<html>bad gateway</html>');
    expect(await client.request({ method: 'DELETE', path: '/d' })).toEqual({ status: 502, body: undefined });
  });

  it('turns transport failures into ApiUnavailableError naming what happened', async () => {
    answer = () => undefined;
    const client = createApiClient({ baseUrl: base, apiKey: 'k', timeoutMs: 50 });
    const timedOut = await client.request({ method: 'GET', path: '/slow' }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(ApiUnavailableError);
    expect((timedOut as Error).message).toBe('API unreachable: timed out');
    answer = (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.end('{"short":');
    };
    const cut = await client.request({ method: 'GET', path: '/cut' }).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(ApiUnavailableError);
    expect((cut as Error).message).toMatch(/^API answer interrupted: /);
  });
});
