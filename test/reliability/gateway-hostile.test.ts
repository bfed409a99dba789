/**
 * Hostile traffic against the local gateway's HTTP side: the management API (`@connections`) and the
 * WebSocket handshake. Unsigned, mis-signed and tampered requests are refused the way AWS refuses
 * them, nasty connection ids are "gone", raw garbage never takes the process down — and a live
 * connection keeps working throughout. Bodies are refused on their headers where the headers decide:
 * a forged request or a declared size over the limit is answered before its body is read, so nothing
 * unauthenticated or oversized is ever buffered. Seeded like the other fuzz tests.
 */
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import {
  ApiGatewayManagementApiClient,
  ForbiddenException,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { startGateway, type RunningGateway } from '../../apps/gateway/src/gateway.js';
import { NodeSha256 } from '../../apps/gateway/src/management/node-sha256.js';
import { handler as defaultHandler } from '../../lambdas/default/handler.js';
import { isWellFormedUnicode, NASTY_STRINGS, Rng, runSeed, scaled } from '../support/fuzz.js';
import { TestSocket } from '../support/ws-client.js';

const SEED = runSeed();
const REQUESTS = scaled(500, 50);
const credentials = { accessKeyId: 'AKIDHOSTILETEST00001', secretAccessKey: 'hostile-test-secret-access-key' };
const region = 'us-east-1';

describe('gateway under hostile HTTP', () => {
  let gateway: RunningGateway;
  let live: TestSocket;
  let liveId: string;
  let sdk: ApiGatewayManagementApiClient;

  beforeAll(async () => {
    gateway = await startGateway({
      routes: [
        { routeKey: '$default', twoWay: true, handler: defaultHandler },
        // Tells a test its own connection id, as a Lambda would see it.
        {
          routeKey: 'whoami',
          twoWay: true,
          handler: async (event) => ({ statusCode: 200, body: event.requestContext.connectionId }),
        },
      ],
      credentials,
      region,
    });
    live = await TestSocket.open(gateway.url);
    live.send({ action: 'whoami' });
    liveId = (await live.nextFrame()).text;
    sdk = new ApiGatewayManagementApiClient({ endpoint: gateway.managementUrl, region, credentials, maxAttempts: 1 });
  }, 120_000);

  afterAll(async () => {
    sdk?.destroy();
    await live?.close();
    await gateway?.close();
  }, 120_000);

  async function expectLiveConnectionWorks(): Promise<void> {
    live.send({ action: 'ping' });
    expect(await live.nextJson()).toEqual({ type: 'pong' });
    await sdk.send(new PostToConnectionCommand({ ConnectionId: liveId, Data: Buffer.from('{"type":"probe"}') }));
    expect(await live.nextJson()).toEqual({ type: 'probe' });
  }

  it(`refuses ${REQUESTS} generated unsigned or badly signed management requests with 4xx, never 5xx`, async () => {
    const rng = new Rng(SEED);
    const statuses: Record<number, number> = {};
    for (let n = 0; n < REQUESTS; n++) {
      const method = rng.pick(['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD']);
      const id = rng.bool(0.3) ? liveId : rng.pick(NASTY_STRINGS.filter(isWellFormedUnicode));
      const segment = rng.bool(0.8) ? encodeURIComponent(id) : id.replace(/[#?\s]/g, '');
      const path = rng.pick([
        `/@connections/${segment}`,
        `/dev/@connections/${segment}`,
        `/@connections/`,
        `/@connections`,
        `/other/@connections/${segment}`,
        `/${segment}`,
      ]);
      const headers: Record<string, string> = {};
      if (rng.bool(0.6)) {
        headers.authorization = rng.pick([
          'AWS4-HMAC-SHA256 Credential=AKIDHOSTILETEST00001/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
          'AWS4-HMAC-SHA256 garbage',
          'Bearer x',
          'AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=, Signature=',
          'x'.repeat(4000),
        ]);
        headers['x-amz-date'] = rng.pick(['20260101T000000Z', 'not-a-date', '99999999T999999Z']);
      }
      const body =
        method === 'POST' || method === 'PUT' || method === 'PATCH'
          ? rng.pick(['', '{}', 'x'.repeat(rng.int(1, 200_000))])
          : undefined;
      let status: number;
      try {
        const response = await fetch(`${gateway.managementUrl.replace(/\/dev$/, '')}${path}`, {
          method,
          headers,
          body,
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer();
        status = response.status;
      } catch (error) {
        throw new Error(`seed ${SEED} #${n} ${method} ${path}: ${(error as Error).message}`, { cause: error });
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
      expect(status, `seed ${SEED} #${n} ${method} ${path.slice(0, 80)}`).toBeGreaterThanOrEqual(400);
      expect(status, `seed ${SEED} #${n} ${method} ${path.slice(0, 80)}`).toBeLessThan(500);
    }
    // Nothing unsigned ever got through: the live connection received no frame from this.
    expect(await live.silentFor(200)).toBe(true);
    await expectLiveConnectionWorks();
    console.info(`[gateway-hostile] seed ${SEED}: ${REQUESTS} requests, statuses ${JSON.stringify(statuses)}`);
  }, 120_000);

  it('refuses a correctly signed push whose body was tampered with after signing (403), and a wrong secret (ForbiddenException)', async () => {
    const signer = new SignatureV4({ credentials, region, service: 'execute-api', sha256: NodeSha256 });
    const url = new URL(`${gateway.managementUrl}/@connections/${encodeURIComponent(liveId)}`);
    const request = new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: { host: url.host, 'content-type': 'application/octet-stream' },
      body: '{"type":"genuine"}',
    });
    const signed = await signer.sign(request);
    const tampered = await fetch(url, { method: 'POST', headers: signed.headers, body: '{"type":"forged"}' });
    expect(tampered.status).toBe(403);
    expect(tampered.headers.get('x-amzn-errortype')).toMatch(/ForbiddenException/);
    const genuine = await fetch(url, { method: 'POST', headers: signed.headers, body: '{"type":"genuine"}' });
    expect(genuine.status).toBe(200);
    expect(await live.nextJson()).toEqual({ type: 'genuine' });

    const impostor = new ApiGatewayManagementApiClient({
      endpoint: gateway.managementUrl,
      region,
      credentials: { ...credentials, secretAccessKey: 'guessed-secret' },
      maxAttempts: 1,
    });
    try {
      await expect(
        impostor.send(new PostToConnectionCommand({ ConnectionId: liveId, Data: Buffer.from('{"type":"forged"}') })),
      ).rejects.toBeInstanceOf(ForbiddenException);
    } finally {
      impostor.destroy();
    }
    expect(await live.silentFor(200)).toBe(true);
  });

  /** Signs like the SDK (its own signer) a POST whose body is not given: only its declared length and hash. */
  async function signedHead(
    options: { contentLength?: number; chunked?: boolean; signHost?: boolean; secret?: string } = {},
  ): Promise<Record<string, string>> {
    const signer = new SignatureV4({
      credentials: { ...credentials, secretAccessKey: options.secret ?? credentials.secretAccessKey },
      region,
      service: 'execute-api',
      sha256: NodeSha256,
    });
    const url = new URL(`${gateway.managementUrl}/@connections/${encodeURIComponent(liveId)}`);
    const headers: Record<string, string> = {
      host: url.host,
      'content-type': 'application/octet-stream',
      'x-amz-content-sha256': createHash('sha256').update('a body that never comes').digest('hex'),
    };
    if (options.contentLength !== undefined) headers['content-length'] = String(options.contentLength);
    if (options.chunked) headers['transfer-encoding'] = 'chunked';
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        headers,
      }),
      options.signHost === false ? { unsignableHeaders: new Set(['host']) } : {},
    );
    return signed.headers as Record<string, string>;
  }

  /** Writes a request's head (and `body`, if any) on a raw socket and reads the answer's status line and headers. */
  async function rawPost(
    headers: Record<string, string>,
    body?: Buffer,
  ): Promise<{ status: number; headers: string; socket: Socket; closed: Promise<void> }> {
    const socket = connect(gateway.port, '127.0.0.1');
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const path = `/dev/@connections/${encodeURIComponent(liveId)}`;
    const head = `POST ${path} HTTP/1.1\r\n${Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')}\r\n`;
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(head);
    if (body) socket.write(body);
    let received = '';
    const answer = new Promise<string>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        const end = received.indexOf('\r\n\r\n');
        if (end !== -1) resolve(received.slice(0, end));
      });
      socket.once('close', () =>
        reject(new Error(`closed without an answer (got ${JSON.stringify(received.slice(0, 200))})`)),
      );
      setTimeout(() => reject(new Error('no answer within 10 s: the gateway is waiting for the body')), 10_000).unref();
    });
    const text = await answer;
    return { status: Number(text.split(' ')[1]), headers: text.toLowerCase(), socket, closed };
  }

  it.each([200_000, 50_000_000])(
    'answers a signed push declaring %i bytes 413 PayloadTooLargeException before any of its body is sent',
    async (contentLength) => {
      const { status, headers, socket, closed } = await rawPost(await signedHead({ contentLength }));
      expect(status).toBe(413);
      expect(headers).toContain('x-amzn-errortype: payloadtoolargeexception');
      if (contentLength > 1024 * 1024) {
        // Far over the limit: the body is left unread and the connection closed.
        expect(headers).toContain('connection: close');
        await closed;
      }
      socket.destroy();
      expect(await live.silentFor(100)).toBe(true);
    },
  );

  it('answers an unsigned or mis-signed push declaring 50 MB 403 before any of its body is sent', async () => {
    for (const headers of [
      { host: 'x', 'content-length': '50000000' },
      await signedHead({ contentLength: 50_000_000, secret: 'guessed-secret' }),
    ]) {
      const { status, headers: answer, socket } = await rawPost(headers);
      expect(status).toBe(403);
      expect(answer).toContain('x-amzn-errortype: forbiddenexception');
      socket.destroy();
    }
  });

  it('cuts a chunked push off at 128 KB with 413 and stops reading it', async () => {
    const chunk = Buffer.alloc(16 * 1024, 'c');
    const chunks = Array.from({ length: 9 }, () =>
      Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
    );
    // 144 KB in chunks and no final chunk: only a gateway that stops at the limit can answer.
    const { status, headers, closed } = await rawPost(await signedHead({ chunked: true }), Buffer.concat(chunks));
    expect(status).toBe(413);
    expect(headers).toContain('x-amzn-errortype: payloadtoolargeexception');
    await closed;
    expect(await live.silentFor(100)).toBe(true);
  });

  it('refuses a correctly signed push whose SignedHeaders leave out host (403 ForbiddenException)', async () => {
    const url = new URL(`${gateway.managementUrl}/@connections/${encodeURIComponent(liveId)}`);
    const signer = new SignatureV4({ credentials, region, service: 'execute-api', sha256: NodeSha256 });
    const body = '{"type":"hostless"}';
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        headers: { host: url.host, 'content-type': 'application/octet-stream' },
        body,
      }),
      { unsignableHeaders: new Set(['host']) },
    );
    expect(String(signed.headers.authorization)).not.toMatch(/SignedHeaders=[^,]*\bhost\b/);
    const response = await fetch(url, { method: 'POST', headers: signed.headers, body });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
    expect(await response.json()).toEqual({
      message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    });
    expect(await live.silentFor(100)).toBe(true);
    // The unmodified SDK client signs host, so it keeps working.
    await expectLiveConnectionWorks();
  });

  it('answers GoneException to signed pushes for nasty connection ids', async () => {
    for (const id of NASTY_STRINGS.filter((s) => s.length > 0 && s.length < 1000 && isWellFormedUnicode(s))) {
      await expect(
        sdk.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from('{"type":"x"}') })),
        JSON.stringify(id),
      ).rejects.toBeInstanceOf(GoneException);
    }
    await expectLiveConnectionWorks();
  });

  it('survives raw TCP garbage and malformed WebSocket handshakes', async () => {
    const rng = new Rng(SEED ^ 0xbad);
    const { port } = gateway;
    const payloads: Buffer[] = [
      rng.bytes(4096),
      Buffer.from('\r\n\r\n\r\n'),
      Buffer.from(`GET /dev HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`),
      Buffer.from(
        `GET /dev HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: not-base64\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
      Buffer.from(
        `GET /dev HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n\r\n`,
      ),
      Buffer.from(`GET /dev HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`),
      Buffer.from(`POST /@connections/x HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\nabc`),
      Buffer.from(`GET /dev HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nzzzz\r\n`),
    ];
    for (const payload of payloads) {
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(payload));
        socket.on('data', () => undefined);
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        socket.setTimeout(3_000, () => socket.destroy());
      });
    }
    // Still serving: the old connection, a new one, and the management API.
    await expectLiveConnectionWorks();
    const fresh = await TestSocket.open(gateway.url);
    fresh.send({ action: 'ping' });
    expect(await fresh.nextJson()).toEqual({ type: 'pong' });
    await fresh.close();
    expect(gateway.connectionCount()).toBe(1);
  }, 60_000);
});
