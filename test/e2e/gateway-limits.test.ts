/** API Gateway's quotas, each set low so the test can reach it: frame/message size, idle, lifetime, integration timeout, connection rate. */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from '@jest/globals';
import { waitFor } from '../support/wait-for.js';
import { startGateway, type RunningGateway } from '../../apps/gateway/src/gateway.js';
import type { GatewayLimits } from '../../apps/gateway/src/limits.js';
import type { GatewayRoute } from '../../apps/gateway/src/route-selector.js';
import type { WebSocketEvent } from '@gavel/contracts';
import { TestSocket } from '../support/ws-client.js';

const credentials = { accessKeyId: 'AKIDLIMITSTEST', secretAccessKey: 'limits-test-secret' };
let gateway: RunningGateway | undefined;
const sockets: TestSocket[] = [];
const disconnects: WebSocketEvent[] = [];

const echo: GatewayRoute = {
  routeKey: '$default',
  twoWay: true,
  handler: async (event) => ({ statusCode: 200, body: `got ${event.body?.length}` }),
};
const recordDisconnect: GatewayRoute = {
  routeKey: '$disconnect',
  twoWay: false,
  handler: async (event) => void disconnects.push(event),
};

async function start(
  limits: Partial<GatewayLimits>,
  routes: GatewayRoute[] = [echo, recordDisconnect],
): Promise<RunningGateway> {
  gateway = await startGateway({ routes, credentials, region: 'us-east-1', limits });
  return gateway;
}
async function open(url: string): Promise<TestSocket> {
  const socket = await TestSocket.open(url);
  sockets.push(socket);
  return socket;
}

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close().catch(() => undefined)));
  await gateway?.close();
  gateway = undefined;
  disconnects.length = 0;
}, 120_000);

describe('gateway limits', () => {
  it('closes with 1009 on a frame over the frame limit, without routing it', async () => {
    const { url } = await start({ maxFrameBytes: 1024 });
    const socket = await open(url);
    socket.send('a'.repeat(1024));
    expect((await socket.nextFrame()).text).toBe('got 1024');
    socket.send('a'.repeat(1025));
    expect((await socket.closed).code).toBe(1009);
    expect(await socket.silentFor(50)).toBe(true);
    await waitFor(() => expect(disconnects[0]?.requestContext.disconnectStatusCode).toBe(1009));
  });

  it('closes with 1009 on a message over the message limit even when each frame is small', async () => {
    const { url } = await start({ maxFrameBytes: 1024, maxMessageBytes: 2048 });
    const socket = await open(url);
    // Three 1000-byte fragments: every frame is fine, the message (3000 bytes) is not.
    socket.ws.send('a'.repeat(1000), { fin: false });
    socket.ws.send('a'.repeat(1000), { fin: false });
    socket.ws.send('a'.repeat(1000), { fin: true });
    expect((await socket.closed).code).toBe(1009);
  });

  it('closes with 1003 on a binary frame, as API Gateway does', async () => {
    const { url } = await start({});
    const socket = await open(url);
    socket.send(Buffer.from([1, 2, 3]));
    expect((await socket.closed).code).toBe(1003);
    await waitFor(() => expect(disconnects[0]?.requestContext.disconnectStatusCode).toBe(1003));
  });

  it('closes an idle connection with 1001 "Going away", and activity keeps it open', async () => {
    const { url } = await start({ idleTimeoutMs: 400 });
    const idle = await open(url);
    const busy = await open(url);
    for (let i = 0; i < 4; i++) {
      await sleep(150);
      busy.send('still here');
      await busy.nextFrame();
    }
    expect(await idle.closed).toEqual({ code: 1001, reason: 'Going away' });
    expect(busy.ws.readyState).toBe(busy.ws.OPEN);
    await waitFor(() => expect(disconnects.map((e) => e.requestContext.disconnectStatusCode)).toEqual([1001]));
    expect(disconnects[0]!.requestContext.disconnectReason).toBe('Going away');
  });

  it('closes a connection at the maximum duration with 1001 even when active', async () => {
    const { url } = await start({ maxConnectionDurationMs: 500 });
    const socket = await open(url);
    const timer = setInterval(() => socket.ws.readyState === socket.ws.OPEN && socket.send('ping'), 50);
    try {
      expect(await socket.closed).toEqual({ code: 1001, reason: 'Going away' });
    } finally {
      clearInterval(timer);
    }
  });

  it('answers "Internal server error" when a handler is slower than the integration timeout or throws', async () => {
    const { url } = await start({ integrationTimeoutMs: 100 }, [
      { routeKey: 'slow', twoWay: true, handler: () => sleep(1000, { statusCode: 200, body: 'too late' }) },
      {
        routeKey: 'boom',
        twoWay: true,
        handler: async () => {
          throw new Error('boom');
        },
      },
      echo,
    ]);
    const socket = await open(url);
    socket.send({ action: 'slow' });
    socket.send({ action: 'boom' });
    socket.send('after');
    for (const _ of [1, 2]) {
      const frame = await socket.nextJson<Record<string, string>>();
      expect(Object.keys(frame)).toEqual(['message', 'connectionId', 'requestId']);
      expect(frame.message).toBe('Internal server error');
    }
    // The queue moved on; the late answer of the slow handler is never delivered.
    expect((await socket.nextFrame()).text).toBe('got 5');
    expect(await socket.silentFor(1100)).toBe(true);
  });

  it('refuses handshakes over the new-connection rate with 429', async () => {
    const { url } = await start({ newConnectionsPerSecond: 3 });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => open(url)));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(refused).toHaveLength(3);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toMatchObject({ status: 429 });
  });
});
