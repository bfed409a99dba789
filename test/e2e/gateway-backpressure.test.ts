/**
 * The gateway's per-connection bounds, with real ws clients and the real AWS SDK client: a client that
 * sends faster than its routes run, a client that does not read what the gateway sends it, and the
 * management API pushing to a client that does not read. Each bound is set low so the test reaches it;
 * the assertions are on what the client and the SDK observe (answers, their order, the close), not on time.
 */
import {
  ApiGatewayManagementApiClient,
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it } from '@jest/globals';
import { startGateway, type RunningGateway } from '../../apps/gateway/src/gateway.js';
import type { GatewayLimits } from '../../apps/gateway/src/limits.js';
import type { GatewayRoute } from '../../apps/gateway/src/route-selector.js';
import type { WebSocketEvent } from '@gavel/contracts';
import { TestSocket } from '../support/ws-client.js';

const region = 'us-east-1';
const credentials = { accessKeyId: 'AKIDBACKPRESSURE', secretAccessKey: 'backpressure-test-secret' };

let gateway: RunningGateway | undefined;
const sockets: TestSocket[] = [];
const clients: ApiGatewayManagementApiClient[] = [];
let disconnected: Promise<WebSocketEvent>;
let onDisconnect: (event: WebSocketEvent) => void;

const whoami: GatewayRoute = {
  routeKey: 'whoami',
  twoWay: true,
  handler: async (event) => ({ statusCode: 200, body: event.requestContext.connectionId }),
};
const recordDisconnect: GatewayRoute = {
  routeKey: '$disconnect',
  twoWay: false,
  handler: async (event) => void onDisconnect(event),
};

async function start(limits: Partial<GatewayLimits>, routes: GatewayRoute[]): Promise<RunningGateway> {
  disconnected = new Promise((resolve) => (onDisconnect = resolve));
  gateway = await startGateway({ routes: [...routes, recordDisconnect], credentials, region, limits });
  return gateway;
}

async function open(url: string): Promise<TestSocket> {
  const socket = await TestSocket.open(url);
  // A socket the gateway cuts may still be written to by the test.
  socket.ws.on('error', () => undefined);
  sockets.push(socket);
  return socket;
}

/** Fails instead of hanging when what is awaited never happens. */
function within<T>(promise: Promise<T>, what: string, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not happen`)), ms)),
  );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const socket of sockets.splice(0)) socket.ws.terminate();
  await gateway?.close();
  gateway = undefined;
}, 120_000);

describe('gateway: a client that sends faster than its routes run', () => {
  /** A `$default` route that records each message's `n` and then waits until `release()`. */
  function gatedRoute() {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const firstStarted = new Promise<void>((resolve) => (started = resolve));
    const handled: number[] = [];
    const route: GatewayRoute = {
      routeKey: '$default',
      twoWay: true,
      handler: async (event) => {
        const n = Number((JSON.parse(event.body!) as { n: number }).n);
        handled.push(n);
        started();
        await gate;
        return { statusCode: 200, body: `done ${n}` };
      },
    };
    return { route, release, firstStarted, handled };
  }

  it('queues at most maxQueuedMessages behind a busy handler; each message over it gets "Too Many Requests", and the connection stays usable', async () => {
    const { route, release, firstStarted, handled } = gatedRoute();
    const { url } = await start({ maxQueuedMessages: 10 }, [route]);
    const socket = await open(url);
    socket.send({ n: 0 });
    await within(firstStarted, 'the first message reaching its handler');

    const FLOOD = 2_000;
    for (let n = 1; n <= FLOOD; n++) socket.send({ n });
    // While the handler is busy, 10 messages wait and every other one is answered at once.
    for (let i = 0; i < FLOOD - 10; i++) {
      const frame = await socket.nextJson<Record<string, string>>();
      expect(Object.keys(frame)).toEqual(['message', 'connectionId', 'requestId']);
      expect(frame.message).toBe('Too Many Requests');
    }
    expect(handled).toEqual([0]);

    release();
    // Then the queued ones run, in order: the first message and the 10 that fitted.
    for (let n = 0; n <= 10; n++) expect((await socket.nextFrame()).text).toBe(`done ${n}`);
    expect(handled).toEqual(Array.from({ length: 11 }, (_, n) => n));
    expect(await socket.silentFor(100)).toBe(true);
    socket.send({ n: 9_999 });
    expect((await socket.nextFrame()).text).toBe('done 9999');
  });

  it('bounds the queued bytes too (maxQueuedBytes)', async () => {
    const { route, release, firstStarted, handled } = gatedRoute();
    const { url } = await start({ maxFrameBytes: 1024, maxMessageBytes: 1024, maxQueuedBytes: 4096 }, [route]);
    const socket = await open(url);
    socket.send({ n: 0 });
    await within(firstStarted, 'the first message reaching its handler');
    // Messages of exactly 1000 bytes: four fit in 4096, the fifth does not.
    const message = (n: number) => {
      const head = `{"n":${n},"pad":"`;
      return `${head}${'x'.repeat(1000 - head.length - 2)}"}`;
    };
    for (let n = 1; n <= 20; n++) socket.send(message(n));
    for (let i = 0; i < 16; i++) expect((await socket.nextJson()).message).toBe('Too Many Requests');
    release();
    for (let n = 0; n <= 4; n++) expect((await socket.nextFrame()).text).toBe(`done ${n}`);
    expect(handled).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('gateway: a client that does not read', () => {
  it('is closed (1008, $disconnect fires) when the answers it does not read pass maxBufferedBytes', async () => {
    const answer = 'a'.repeat(16 * 1024);
    const echo: GatewayRoute = {
      routeKey: '$default',
      twoWay: true,
      handler: async () => ({ statusCode: 200, body: answer }),
    };
    const { url } = await start({ maxFrameBytes: 16 * 1024, maxMessageBytes: 16 * 1024, maxBufferedBytes: 64 * 1024 }, [
      echo,
    ]);
    const socket = await open(url);
    socket.ws.pause();
    // Far more answers than the network buffers between the two processes can hold.
    for (let n = 0; n < 4_000 && socket.ws.readyState === socket.ws.OPEN; n++) socket.send({ n });

    const event = await within(disconnected, '$disconnect of the non-reading client');
    expect(event.requestContext.disconnectStatusCode).toBe(1008);
    expect(event.requestContext.disconnectReason).toBe('Policy Violation');
    expect(gateway!.connectionCount()).toBe(0);
    socket.ws.resume();
    await within(socket.closed, 'the client seeing its connection closed');
  });

  it('makes PostToConnection answer 429 LimitExceededException, then closes a reader that stays slow and fires $disconnect', async () => {
    const { url, managementUrl } = await start({ maxBufferedBytes: 256 * 1024, slowReaderTimeoutMs: 200 }, [whoami]);
    const socket = await open(url);
    socket.send({ action: 'whoami' });
    const connectionId = (await socket.nextFrame()).text;
    const sdk = new ApiGatewayManagementApiClient({ endpoint: managementUrl, region, credentials, maxAttempts: 1 });
    clients.push(sdk);
    socket.ws.pause();

    const chunk = Buffer.alloc(64 * 1024, 'p');
    let accepted = 0;
    let refusal: unknown;
    // The network buffers fill first (a few MB on loopback), then the gateway's own bound.
    for (let n = 0; n < 4_000 && refusal === undefined; n++) {
      await sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: chunk })).then(
        () => accepted++,
        (error: unknown) => (refusal = error),
      );
    }
    expect(refusal).toBeInstanceOf(LimitExceededException);
    expect((refusal as LimitExceededException).$metadata.httpStatusCode).toBe(429);
    expect(accepted).toBeGreaterThan(0);

    // The client still does not read: it is closed, and $disconnect fires.
    const event = await within(disconnected, '$disconnect of the slow reader');
    expect(event.requestContext.connectionId).toBe(connectionId);
    expect(event.requestContext.disconnectStatusCode).toBe(1008);
    await expect(
      sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: chunk })),
    ).rejects.toBeInstanceOf(GoneException);
    console.info(`[gateway-backpressure] ${accepted} pushes of 64 KB accepted before the first 429`);
  });
});
