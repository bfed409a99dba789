/**
 * The local gateway alone, in-process, with a test route table: route selection, two-way answers,
 * AWS's own error frames, event shapes, ordering, and the handshake.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '../support/wait-for.js';
import { startGateway, type RunningGateway } from '../../apps/gateway/src/gateway.js';
import type { GatewayRoute } from '../../apps/gateway/src/route-selector.js';
import { handler as defaultHandler } from '../../lambdas/default/handler.js';
import type { WebSocketEvent } from '@gavel/contracts';
import { TestSocket } from '../support/ws-client.js';

const credentials = { accessKeyId: 'AKIDGATEWAYTEST', secretAccessKey: 'gateway-test-secret' };
const AWS_ID = /^[A-Za-z0-9+/]{15}=$/;

let gateway: RunningGateway | undefined;
const sockets: TestSocket[] = [];

async function start(routes: GatewayRoute[], limits = {}): Promise<RunningGateway> {
  gateway = await startGateway({ routes, credentials, region: 'us-east-1', limits });
  return gateway;
}

async function open(url: string, options = {}): Promise<TestSocket> {
  const socket = await TestSocket.open(url, options);
  sockets.push(socket);
  return socket;
}

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close().catch(() => undefined)));
  await gateway?.close();
  gateway = undefined;
}, 120_000);

const defaultRoute: GatewayRoute = { routeKey: '$default', twoWay: true, handler: defaultHandler };

describe('gateway routing', () => {
  it('answers ping with pong through $default, and explains unknown actions and non-JSON', async () => {
    const { url } = await start([defaultRoute]);
    const socket = await open(url);
    socket.send({ action: 'ping' });
    expect(await socket.nextJson()).toEqual({ type: 'pong' });
    socket.send({ action: 'dance' });
    const unknown = await socket.nextJson<{ type: string; data: { message: string } }>();
    expect(unknown.type).toBe('error');
    expect(unknown.data.message).toContain('dance');
    socket.send('not json');
    const notJson = await socket.nextJson<{ type: string; data: { message: string } }>();
    expect(notJson).toEqual({ type: 'error', data: { message: expect.stringContaining('JSON') } });
  });

  it("without $default, an unmatched message gets AWS's Forbidden frame", async () => {
    const { url } = await start([
      { routeKey: 'auth', twoWay: true, handler: async () => ({ statusCode: 200, body: 'auth' }) },
    ]);
    const socket = await open(url);
    socket.send({ action: 'ping' });
    const frame = await socket.nextJson<Record<string, string>>();
    expect(Object.keys(frame)).toEqual(['message', 'connectionId', 'requestId']);
    expect(frame.message).toBe('Forbidden');
    expect(frame.connectionId).toMatch(AWS_ID);
    expect(frame.requestId).toMatch(AWS_ID);
    socket.send({ action: 'auth' });
    expect((await socket.nextFrame()).text).toBe('auth');
  });

  it('selects routes on $request.body.action and sends bodies back only on two-way routes', async () => {
    const events: WebSocketEvent[] = [];
    const { url } = await start([
      {
        routeKey: 'oneway',
        twoWay: false,
        handler: async (event) => (events.push(event), { statusCode: 200, body: 'never sent' }),
      },
      {
        routeKey: 'twoway',
        twoWay: true,
        handler: async (event) => (events.push(event), { statusCode: 200, body: event.body }),
      },
      { routeKey: 'empty', twoWay: true, handler: async () => ({ statusCode: 200 }) },
      defaultRoute,
    ]);
    const socket = await open(url);
    socket.send({ action: 'oneway' });
    socket.send({ action: 'empty' });
    socket.send({ action: 'twoway', n: 1 });
    // The first frame is the two-way echo: the one-way and empty answers sent nothing.
    expect(await socket.nextJson()).toEqual({ action: 'twoway', n: 1 });
    expect(events.map((e) => e.requestContext.routeKey)).toEqual(['oneway', 'twoway']);
  });

  it("builds MESSAGE events with AWS's shape", async () => {
    let seen: WebSocketEvent | undefined;
    const { url, port } = await start([
      { routeKey: '$default', twoWay: false, handler: async (event) => void (seen = event) },
    ]);
    const socket = await open(url);
    socket.send('hello');
    await waitFor(() => expect(seen).toBeDefined());
    const context = seen!.requestContext;
    expect(seen!.body).toBe('hello');
    expect(seen!.isBase64Encoded).toBe(false);
    expect(seen).not.toHaveProperty('headers');
    expect(context).toMatchObject({
      routeKey: '$default',
      eventType: 'MESSAGE',
      messageDirection: 'IN',
      stage: 'dev',
      domainName: `127.0.0.1:${port}`,
      identity: { sourceIp: '127.0.0.1', userAgent: 'gavel-tests/1.0' },
    });
    expect(context.connectionId).toMatch(AWS_ID);
    expect(context.messageId).toMatch(AWS_ID);
    expect(context.requestId).toMatch(AWS_ID);
    expect(context.extendedRequestId).toBe(context.requestId);
    expect(context.apiId).toMatch(/^[a-z0-9]{10}$/);
    expect(context.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(context.requestTimeEpoch).toBeGreaterThanOrEqual(context.connectedAt);
  });

  it('runs $connect during the handshake with headers and query string, and rejects on non-2xx', async () => {
    const connects: WebSocketEvent[] = [];
    const { url } = await start([
      {
        routeKey: '$connect',
        twoWay: false,
        handler: async (event) => {
          connects.push(event);
          return { statusCode: event.queryStringParameters?.token === 'good' ? 200 : 401 };
        },
      },
      defaultRoute,
    ]);
    await expect(open(`${url}?token=bad`)).rejects.toMatchObject({ status: 401 });
    const socket = await open(`${url}?token=good&tag=a&tag=b`);
    socket.send({ action: 'ping' });
    expect(await socket.nextJson()).toEqual({ type: 'pong' });

    const event = connects[1]!;
    expect(event.requestContext).toMatchObject({ eventType: 'CONNECT', routeKey: '$connect', messageId: null });
    expect(event.queryStringParameters).toEqual({ token: 'good', tag: 'b' });
    expect(event.multiValueQueryStringParameters).toEqual({ token: ['good'], tag: ['a', 'b'] });
    expect(event.headers?.['User-Agent']).toBe('gavel-tests/1.0');
    expect(event.headers?.['X-Forwarded-For']).toBe('127.0.0.1');
    expect(event.multiValueHeaders?.['Sec-WebSocket-Version']).toEqual(['13']);
  });

  it('fires $disconnect with the close code and reason', async () => {
    const disconnects: WebSocketEvent[] = [];
    const { url } = await start([
      defaultRoute,
      { routeKey: '$disconnect', twoWay: false, handler: async (e) => void disconnects.push(e) },
    ]);
    const socket = await open(url);
    socket.ws.close(4000, 'bye');
    await waitFor(() => expect(disconnects.length).toBe(1));
    expect(disconnects[0]!.requestContext).toMatchObject({
      eventType: 'DISCONNECT',
      routeKey: '$disconnect',
      disconnectStatusCode: 4000,
      disconnectReason: 'bye',
    });
    expect(gateway!.connectionCount()).toBe(0);
  });

  it('on close() says "Going away" to every client and lets the $disconnect handlers finish', async () => {
    const finished: string[] = [];
    const running = await start([
      defaultRoute,
      {
        routeKey: '$disconnect',
        twoWay: false,
        handler: async (event) => {
          await sleep(100);
          finished.push(`${event.requestContext.disconnectStatusCode} ${event.requestContext.disconnectReason}`);
        },
      },
    ]);
    const [a, b] = [await open(running.url), await open(running.url)];
    gateway = undefined;
    await running.close();
    expect(finished).toEqual(['1001 Going away', '1001 Going away']);
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
  });

  it('accepts the URL with and without the stage, and refuses another path', async () => {
    const { url, port } = await start([defaultRoute]);
    for (const target of [url, `ws://127.0.0.1:${port}`, `ws://127.0.0.1:${port}/`]) {
      const socket = await open(target);
      socket.send({ action: 'ping' });
      expect(await socket.nextJson()).toEqual({ type: 'pong' });
    }
    await expect(open(`ws://127.0.0.1:${port}/other`)).rejects.toMatchObject({ status: 403 });
  });

  it('handles 100 messages sent back to back one at a time, in order', async () => {
    let running = 0;
    let overlapped = false;
    const { url } = await start([
      {
        routeKey: '$default',
        twoWay: true,
        handler: async (event) => {
          running += 1;
          if (running > 1) overlapped = true;
          // Later messages finish faster: only a per-connection queue keeps them in order.
          const n = Number(JSON.parse(event.body!).n);
          await sleep((100 - n) % 7);
          running -= 1;
          return { statusCode: 200, body: String(n) };
        },
      },
    ]);
    const socket = await open(url);
    for (let n = 0; n < 100; n++) socket.send({ n });
    const received: number[] = [];
    for (let n = 0; n < 100; n++) received.push(Number((await socket.nextFrame()).text));
    expect(received).toEqual(Array.from({ length: 100 }, (_, n) => n));
    expect(overlapped).toBe(false);
  });
});
