/**
 * Hostile traffic against the local gateway's HTTP side: the management API (`@connections`) and the
 * WebSocket handshake. Unsigned, mis-signed and tampered requests are refused the way AWS refuses
 * them, nasty connection ids are "gone", raw garbage never takes the process down — and a live
 * connection keeps working throughout. Seeded like the other fuzz tests.
 */
import { connect } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { ApiGatewayManagementApiClient, ForbiddenException, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../apps/gateway/src/gateway.js';
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
        { routeKey: 'whoami', twoWay: true, handler: async (event) => ({ statusCode: 200, body: event.requestContext.connectionId }) },
      ],
      credentials,
      region,
    });
    live = await TestSocket.open(gateway.url);
    live.send({ action: 'whoami' });
    liveId = (await live.nextFrame()).text;
    sdk = new ApiGatewayManagementApiClient({ endpoint: gateway.managementUrl, region, credentials, maxAttempts: 1 });
  });

  afterAll(async () => {
    sdk?.destroy();
    await live?.close();
    await gateway?.close();
  });

  async function expectLiveConnectionWorks(): Promise<void> {
    live.send({ action: 'ping' });
    expect(await live.nextJson()).toEqual({ type: 'pong' });
    await sdk.send(new PostToConnectionCommand({ ConnectionId: liveId, Data: Buffer.from('{"type":"probe"}') }));
    expect(await live.nextJson()).toEqual({ type: 'probe' });
  }

  it(`refuses ${REQUESTS} generated unsigned or badly signed management requests with 4xx, never 5xx`, { timeout: 120_000 }, async () => {
    const rng = new Rng(SEED);
    const statuses: Record<number, number> = {};
    for (let n = 0; n < REQUESTS; n++) {
      const method = rng.pick(['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD']);
      const id = rng.bool(0.3) ? liveId : rng.pick(NASTY_STRINGS.filter(isWellFormedUnicode));
      const segment = rng.bool(0.8) ? encodeURIComponent(id) : id.replace(/[#?\s]/g, '');
      const path = rng.pick([`/@connections/${segment}`, `/dev/@connections/${segment}`, `/@connections/`, `/@connections`, `/other/@connections/${segment}`, `/${segment}`]);
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
      const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? rng.pick(['', '{}', 'x'.repeat(rng.int(1, 200_000))]) : undefined;
      let status: number;
      try {
        const response = await fetch(`${gateway.managementUrl.replace(/\/dev$/, '')}${path}`, { method, headers, body, signal: AbortSignal.timeout(10_000) });
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
  });

  it('refuses a correctly signed push whose body was tampered with after signing (403), and a wrong secret (ForbiddenException)', async () => {
    const signer = new SignatureV4({ credentials, region, service: 'execute-api', sha256: Sha256 });
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

    const impostor = new ApiGatewayManagementApiClient({ endpoint: gateway.managementUrl, region, credentials: { ...credentials, secretAccessKey: 'guessed-secret' }, maxAttempts: 1 });
    try {
      await expect(impostor.send(new PostToConnectionCommand({ ConnectionId: liveId, Data: Buffer.from('{"type":"forged"}') }))).rejects.toBeInstanceOf(ForbiddenException);
    } finally {
      impostor.destroy();
    }
    expect(await live.silentFor(200)).toBe(true);
  });

  it('answers GoneException to signed pushes for nasty connection ids', async () => {
    for (const id of NASTY_STRINGS.filter((s) => s.length > 0 && s.length < 1000 && isWellFormedUnicode(s))) {
      await expect(sdk.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from('{"type":"x"}') })), JSON.stringify(id)).rejects.toBeInstanceOf(GoneException);
    }
    await expectLiveConnectionWorks();
  });

  it('survives raw TCP garbage and malformed WebSocket handshakes', { timeout: 60_000 }, async () => {
    const rng = new Rng(SEED ^ 0xbad);
    const { port } = gateway;
    const payloads: Buffer[] = [
      rng.bytes(4096),
      Buffer.from('\r\n\r\n\r\n'),
      Buffer.from(`GET /dev HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`),
      Buffer.from(`GET /dev HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: not-base64\r\nSec-WebSocket-Version: 13\r\n\r\n`),
      Buffer.from(`GET /dev HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n\r\n`),
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
  });
});
