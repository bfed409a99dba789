import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApiGatewayManagementApiServiceException,
  ForbiddenException,
  GoneException,
  LimitExceededException,
  PayloadTooLargeException,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManagementApiClient } from './management-api.client.js';
import { classifyPushError } from './management-api.errors.js';

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
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const id = decodeURIComponent((req.url ?? '').split('/@connections/')[1] ?? '');
      const answer = (status: number, errorType?: string, body = '') => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': 'req-1', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
        res.end(body);
      };
      if (id === 'gone=') return answer(410, 'GoneException', '{"message":null}');
      if (id === 'gone-without-header=') return answer(410, undefined, '{}');
      if (id === 'forbidden=') return answer(403, 'ForbiddenException', '{"message":"Forbidden"}');
      if (id === 'throttled=') return answer(429, 'LimitExceededException:http://internal', '{"message":"Rate exceeded"}');
      if (id === 'too-large=') return answer(413, 'PayloadTooLargeException', '{"message":"Message too long"}');
      if (id === 'broken=') return answer(502, undefined, '{"message":"Bad gateway"}');
      if (req.method === 'GET') return answer(200, undefined, JSON.stringify({ connectedAt: '2026-11-24T05:00:00.000Z', lastActiveAt: '2026-11-24T05:01:00.000Z', identity: { sourceIp: '10.0.0.1', userAgent: 'wscat' } }));
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
    await client.postToConnection('R1kmxc2VNjMCFIA=', data);
    const request = received.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/dev/@connections/R1kmxc2VNjMCFIA%3D');
    expect(request.body.equals(data)).toBe(true);
    expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLOCAL\/\d{8}\/us-east-1\/execute-api\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/);
    expect(request.headers['content-type']).toBe('application/octet-stream');
  });

  it('reads GetConnection through the stock SDK pipeline', async () => {
    const live = await client.getConnection('abc=');
    expect(live.connectedAt).toEqual(new Date('2026-11-24T05:00:00.000Z'));
    expect(live.sourceIp).toBe('10.0.0.1');
    expect(received.at(-1)!.headers.authorization).toContain('AWS4-HMAC-SHA256');
  });

  it('raises the SDK exception classes the way the SDK would', async () => {
    await expect(client.postToConnection('gone=', Buffer.from('x'))).rejects.toBeInstanceOf(GoneException);
    await expect(client.postToConnection('forbidden=', Buffer.from('x'))).rejects.toBeInstanceOf(ForbiddenException);
    await expect(client.postToConnection('throttled=', Buffer.from('x'))).rejects.toBeInstanceOf(LimitExceededException);
    await expect(client.postToConnection('too-large=', Buffer.from('x'))).rejects.toBeInstanceOf(PayloadTooLargeException);
    await expect(client.getConnection('gone=')).rejects.toBeInstanceOf(GoneException);
    await expect(client.deleteConnection('gone=')).rejects.toBeInstanceOf(GoneException);
  });

  it('cannot tell a 410 without x-amzn-ErrorType is gone, exactly like the SDK', async () => {
    const error = await client.postToConnection('gone-without-header=', Buffer.from('x')).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(GoneException);
    expect(error).toBeInstanceOf(ApiGatewayManagementApiServiceException);
    expect((error as ApiGatewayManagementApiServiceException).$metadata.httpStatusCode).toBe(410);
  });

  it('classifies by class and status', async () => {
    const outcome = async (id: string) => classifyPushError(await client.postToConnection(id, Buffer.from('x')).catch((e: unknown) => e));
    expect(await outcome('gone=')).toBe('stale');
    expect(await outcome('forbidden=')).toBe('stale');
    expect(await outcome('throttled=')).toBe('retryable');
    expect(await outcome('broken=')).toBe('retryable');
    expect(await outcome('too-large=')).toBe('failed');
    expect(classifyPushError(new TypeError('fetch failed'))).toBe('retryable');
  });
});
