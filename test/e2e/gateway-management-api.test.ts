/**
 * The `@connections` management API driven by the unmodified AWS SDK v3 client: the SDK must not be
 * able to tell the local gateway from API Gateway (error classes included).
 */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  ForbiddenException,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitFor } from '../support/wait-for.js';
import { startGateway, type RunningGateway } from '../../apps/gateway/src/gateway.js';
import type { WebSocketEvent } from '@gavel/contracts';
import { TestSocket } from '../support/ws-client.js';

const region = 'eu-west-1';
const credentials = { accessKeyId: 'AKIDMANAGEMENTTEST', secretAccessKey: 'management-test-secret' };
const MAX = 128 * 1024;

let gateway: RunningGateway;
const disconnects: WebSocketEvent[] = [];
/** What PostToConnection answered when called from inside $connect (the connection is not established yet). */
let postDuringConnect: unknown;

beforeAll(async () => {
  gateway = await startGateway({
    region,
    credentials,
    routes: [
      {
        routeKey: '$connect',
        twoWay: false,
        handler: async (event) => {
          if (event.queryStringParameters?.probe === '1') {
            const client = clientFor(gateway.managementUrl);
            postDuringConnect = await client
              .send(
                new PostToConnectionCommand({
                  ConnectionId: event.requestContext.connectionId,
                  Data: Buffer.from('too early'),
                }),
              )
              .catch((error: unknown) => error);
          }
          return { statusCode: 200 };
        },
      },
      {
        routeKey: 'whoami',
        twoWay: true,
        handler: async (event) => ({ statusCode: 200, body: event.requestContext.connectionId }),
      },
      { routeKey: '$disconnect', twoWay: false, handler: async (event) => void disconnects.push(event) },
    ],
  });
}, 120_000);
afterAll(() => gateway.close(), 120_000);

const clientFor = (endpoint: string, overrides: Partial<typeof credentials> = {}, extra = {}) =>
  new ApiGatewayManagementApiClient({
    endpoint,
    region,
    credentials: { ...credentials, ...overrides },
    maxAttempts: 1,
    ...extra,
  });

/** Opens a client socket and learns its connection id from the gateway itself. */
async function connect(): Promise<{ socket: TestSocket; connectionId: string }> {
  const socket = await TestSocket.open(gateway.url);
  socket.send({ action: 'whoami' });
  return { socket, connectionId: (await socket.nextFrame()).text };
}

const endpoints = () => [
  ['with the stage', gateway.managementUrl],
  ['without the stage (custom domain)', `http://127.0.0.1:${gateway.port}`],
];

describe('gateway management API (@connections) with the real SDK', () => {
  it.each([0, 1])('PostToConnection delivers exactly the bytes as one text frame (%s)', async (index) => {
    const client = clientFor(endpoints()[index]![1]!);
    const { socket, connectionId } = await connect();
    expect(connectionId).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    const payload = JSON.stringify({
      type: 'notification',
      id: 1,
      ts: 't',
      data: { title: 'héllo ✓', body: 'x'.repeat(40_000) },
    });
    await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(payload) }));
    const frame = await socket.nextFrame();
    expect(frame.binary).toBe(false);
    expect(frame.text).toBe(payload);
    expect(await socket.silentFor(100)).toBe(true);
    await socket.close();
  });

  it('sends bytes that are not UTF-8 as one binary frame, and accepts exactly 128 KB', async () => {
    const client = clientFor(gateway.managementUrl);
    const { socket, connectionId } = await connect();
    await client.send(
      new PostToConnectionCommand({ ConnectionId: connectionId, Data: new Uint8Array([0xff, 0xfe, 0x00]) }),
    );
    const binary = await socket.nextFrame();
    expect(binary.binary).toBe(true);
    await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.alloc(MAX, 'a') }));
    expect((await socket.nextFrame()).text).toHaveLength(MAX);
    await socket.close();
  });

  it('rejects 128 KB + 1 with PayloadTooLargeException and sends nothing', async () => {
    const client = clientFor(gateway.managementUrl);
    const { socket, connectionId } = await connect();
    const error = await client
      .send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.alloc(MAX + 1, 'a') }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadTooLargeException);
    expect((error as PayloadTooLargeException).$metadata.httpStatusCode).toBe(413);
    expect(await socket.silentFor(100)).toBe(true);
    await socket.close();
  });

  it('GetConnection returns connectedAt, lastActiveAt and the identity', async () => {
    const client = clientFor(gateway.managementUrl);
    const before = Date.now();
    const { socket, connectionId } = await connect();
    const answer = await client.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    expect(answer.ConnectedAt).toBeInstanceOf(Date);
    expect(answer.LastActiveAt).toBeInstanceOf(Date);
    expect(answer.ConnectedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(answer.LastActiveAt!.getTime()).toBeGreaterThanOrEqual(answer.ConnectedAt!.getTime());
    expect(answer.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'gavel-tests/1.0' });
    await socket.close();
  });

  it.each([0, 1])('DeleteConnection closes the socket and fires $disconnect (%s)', async (index) => {
    const client = clientFor(endpoints()[index]![1]!);
    const { socket, connectionId } = await connect();
    await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    expect((await socket.closed).code).toBe(1000);
    await waitFor(() => expect(disconnects.some((e) => e.requestContext.connectionId === connectionId)).toBe(true));
    // Gone for good afterwards.
    await expect(client.send(new GetConnectionCommand({ ConnectionId: connectionId }))).rejects.toBeInstanceOf(
      GoneException,
    );
  });

  it('answers GoneException (410, x-amzn-ErrorType) to all three operations on an unknown id', async () => {
    const client = clientFor(gateway.managementUrl);
    const id = 'AAAAAAAAAAAAAAA=';
    for (const send of [
      () => client.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from('x') })),
      () => client.send(new GetConnectionCommand({ ConnectionId: id })),
      () => client.send(new DeleteConnectionCommand({ ConnectionId: id })),
    ]) {
      const error = await send().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GoneException);
      expect((error as GoneException).$metadata.httpStatusCode).toBe(410);
    }
  });

  it('answers GoneException to a PostToConnection from inside $connect, as AWS does', async () => {
    const socket = await TestSocket.open(`${gateway.url}?probe=1`);
    expect(postDuringConnect).toBeInstanceOf(GoneException);
    expect(await socket.silentFor(100)).toBe(true);
    await socket.close();
  });

  it('refuses unsigned requests with 403 ForbiddenException and AWS headers', async () => {
    const { socket, connectionId } = await connect();
    const response = await fetch(`${gateway.managementUrl}/@connections/${encodeURIComponent(connectionId)}`, {
      method: 'POST',
      body: 'sneaky',
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
    expect(await socket.silentFor(100)).toBe(true);
    await socket.close();
  });

  it.each([
    ['a wrong secret', { secretAccessKey: 'not-the-secret' }, {}],
    ['an unknown access key', { accessKeyId: 'AKIDSOMEONEELSE' }, {}],
    ['another region', {}, { region: 'us-east-1' }],
    ['a clock 10 minutes off', {}, { systemClockOffset: 10 * 60 * 1000 }],
  ])('refuses requests signed with %s: SDK ForbiddenException', async (_case, creds, extra) => {
    const { socket, connectionId } = await connect();
    const client = clientFor(gateway.managementUrl, creds, extra);
    const error = await client
      .send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('x') }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenException);
    expect((error as ForbiddenException).$metadata.httpStatusCode).toBe(403);
    expect(await socket.silentFor(100)).toBe(true);
    await socket.close();
  });
});
