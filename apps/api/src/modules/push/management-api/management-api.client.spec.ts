import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApiGatewayManagementApiClient,
  ApiGatewayManagementApiServiceException,
  ForbiddenException,
  GoneException,
  LimitExceededException,
  PayloadTooLargeException,
  PostToConnectionCommand,
  DeleteConnectionCommand,
  GetConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fastPostToConnection } from './fast-post-to-connection.plugin.js';
import { ManagementApiClient } from './management-api.client.js';
import { postOutcomeOf } from './management-api.errors.js';
import { UndiciRequestHandler } from './undici-request-handler.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A stand-in for the management API that answers what each connection id asks for. */
function startFakeGateway(received: Received[]): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      const id = decodeURIComponent((req.url ?? '').split('/@connections/')[1] ?? '');
      const answer = (status: number, errorType?: string, body = '') => {
        res.writeHead(status, {
          'content-type': 'application/json',
          'x-amzn-requestid': 'req-1',
          ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
        });
        res.end(body);
      };
      if (id === 'gone=') return answer(410, 'GoneException', '{"message":null}');
      if (id === 'gone-without-header=') return answer(410, undefined, '{}');
      if (id === 'forbidden=') return answer(403, 'ForbiddenException', '{"message":"Forbidden"}');
      if (id === 'throttled=')
        return answer(429, 'LimitExceededException:http://internal', '{"message":"Rate exceeded"}');
      if (id === 'too-large=') return answer(413, 'PayloadTooLargeException', '{"message":"Message too long"}');
      if (id === 'forbidden-without-header=') return answer(403, undefined, '{"message":"Forbidden"}');
      if (id === 'broken=') return answer(502, undefined, '{"message":"Bad gateway"}');
      if (id === 'bad-request=') return answer(400, 'BadRequestException', '{"message":"Invalid connectionId"}');
      if (req.method === 'GET')
        return answer(
          200,
          undefined,
          JSON.stringify({
            connectedAt: '2026-11-24T05:00:00.000Z',
            lastActiveAt: '2026-11-24T05:01:00.000Z',
            identity: { sourceIp: '10.0.0.1', userAgent: 'wscat' },
          }),
        );
      if (req.method === 'DELETE') return answer(204);
      return answer(200);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe(ManagementApiClient.name, () => {
  const received: Received[] = [];
  let server: Server;
  let client: ManagementApiClient;

  beforeAll(async () => {
    server = await startFakeGateway(received);
    const { port } = server.address() as AddressInfo;
    client = new ManagementApiClient({
      endpoint: `http://127.0.0.1:${port}/dev`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
      connections: 4,
      requestTimeoutMs: 2000,
    });
  }, 120_000);

  afterAll(async () => {
    await client.close();
    server.close();
  }, 120_000);

  it('posts exactly the bytes, signed, to the stage path with the id encoded', async () => {
    const data = Buffer.from('{"type":"pong"}');
    expect(await client.postToConnection('R1kmxc2VNjMCFIA=', data)).toEqual({ kind: 'delivered' });
    const request = received.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/dev/@connections/R1kmxc2VNjMCFIA%3D');
    expect(request.body.equals(data)).toBe(true);
    expect(request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDLOCAL\/\d{8}\/us-east-1\/execute-api\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(request.headers['content-type']).toBe('application/octet-stream');
  });

  it('reads GetConnection through the stock SDK pipeline', async () => {
    const live = await client.getConnection('abc=');
    expect(live?.connectedAt).toEqual(new Date('2026-11-24T05:00:00.000Z'));
    expect(live?.sourceIp).toBe('10.0.0.1');
    expect(received.at(-1)!.headers.authorization).toContain('AWS4-HMAC-SHA256');
  });

  it('answers every post with an outcome, never a rejection', async () => {
    const outcome = (id: string) => client.postToConnection(id, Buffer.from('x'));
    expect(await outcome('abc=')).toEqual({ kind: 'delivered' });
    expect(await outcome('gone=')).toMatchObject({ kind: 'gone' });
    expect(await outcome('gone-without-header=')).toMatchObject({ kind: 'gone' });
    expect(await outcome('forbidden=')).toEqual({
      kind: 'forbidden',
      named: true,
      detail: 'ForbiddenException: Forbidden',
    });
    expect(await outcome('forbidden-without-header=')).toMatchObject({ kind: 'forbidden', named: false });
    expect(await outcome('throttled=')).toEqual({ kind: 'throttled', detail: 'LimitExceededException: Rate exceeded' });
    expect(await outcome('too-large=')).toMatchObject({ kind: 'too-large' });
    expect(await outcome('broken=')).toMatchObject({ kind: 'failed', retryable: true });
    expect(await outcome('bad-request=')).toMatchObject({ kind: 'failed', retryable: false });
    expect(postOutcomeOf(new TypeError('fetch failed'))).toEqual({
      kind: 'failed',
      retryable: true,
      detail: 'TypeError: fetch failed',
    });
  });

  it('reads a gone connection as null and deletes it as gone', async () => {
    expect(await client.getConnection('gone=')).toBeNull();
    expect(await client.deleteConnection('gone=')).toBe('gone');
    expect(await client.deleteConnection('abc=')).toBe('deleted');
    await expect(client.getConnection('broken=')).rejects.toBeInstanceOf(Error);
  });
});

/** The plugin alone, on the stock SDK client: what the client above classifies. */
describe(fastPostToConnection.name, () => {
  const received: Received[] = [];
  let server: Server;
  let handler: UndiciRequestHandler;
  let sdk: ApiGatewayManagementApiClient;

  beforeAll(async () => {
    server = await startFakeGateway(received);
    const { port } = server.address() as AddressInfo;
    const endpoint = `http://127.0.0.1:${port}/dev`;
    const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
    handler = new UndiciRequestHandler({ connections: 2, requestTimeoutMs: 2000 });
    sdk = new ApiGatewayManagementApiClient({
      endpoint,
      region: 'us-east-1',
      credentials,
      requestHandler: handler,
      maxAttempts: 1,
    });
    sdk.middlewareStack.use(
      fastPostToConnection({ endpoint, region: 'us-east-1', credentials: async () => credentials, handler }),
    );
  }, 120_000);

  afterAll(async () => {
    await handler.close();
    sdk.destroy();
    server.close();
  }, 120_000);

  const post = (id: string) => sdk.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from('x') }));

  it('raises the SDK exception classes the way the SDK would', async () => {
    await expect(post('gone=')).rejects.toBeInstanceOf(GoneException);
    await expect(post('forbidden=')).rejects.toBeInstanceOf(ForbiddenException);
    await expect(post('throttled=')).rejects.toBeInstanceOf(LimitExceededException);
    await expect(post('too-large=')).rejects.toBeInstanceOf(PayloadTooLargeException);
    await expect(sdk.send(new GetConnectionCommand({ ConnectionId: 'gone=' }))).rejects.toBeInstanceOf(GoneException);
    await expect(sdk.send(new DeleteConnectionCommand({ ConnectionId: 'gone=' }))).rejects.toBeInstanceOf(
      GoneException,
    );
  });

  it('cannot tell a 410 without x-amzn-ErrorType is gone, exactly like the SDK', async () => {
    const error = await post('gone-without-header=').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(GoneException);
    expect(error).toBeInstanceOf(ApiGatewayManagementApiServiceException);
    expect((error as ApiGatewayManagementApiServiceException).$metadata.httpStatusCode).toBe(410);
  });
});
