/**
 * The whole stack as a client sees it: API + local gateway as child processes (from dist/), a real
 * database (SQLite, and MariaDB/MySQL when TEST_MYSQL_URL is set), real ws clients.
 * connect → auth → auth.ok (pushed by the API through the management API) → row → close → row gone.
 */
import { createHmac } from 'node:crypto';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { waitFor } from '../support/wait-for.js';
import type { AuthErrorEvent, AuthOkEvent } from '@gavel/contracts';
import { databaseKinds } from '../support/databases.js';
import { apiJson, login, STACK_SECRETS, startStack, type Stack } from '../support/stack.js';
import { TestSocket } from '../support/ws-client.js';
import { useStack } from './push-support.js';

interface OwnConnection {
  connectionId: string;
  sourceIp: string | null;
  userAgent: string | null;
}

/** An HS256 JWT signed with the stack's secret, for tokens the API cannot issue (already expired). */
function signJwt(payload: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
  return `${unsigned}.${createHmac('sha256', STACK_SECRETS.JWT_SECRET).update(unsigned).digest('base64url')}`;
}

describe.each(databaseKinds())('whole stack: WebSocket auth and connection rows (%s)', (kind) => {
  const suite = useStack(kind, { adminToken: true });
  let aliceToken: string;

  const open = async (userAgent = 'gavel-stack-test/1.0') => {
    const socket = await TestSocket.open(suite.stack.wsUrl, { headers: { 'User-Agent': userAgent } });
    suite.track(socket);
    return socket;
  };
  const authenticate = async (socket: TestSocket, token: string) => {
    socket.send({ action: 'auth', token });
    return socket.nextJson<AuthOkEvent | AuthErrorEvent>(10_000);
  };
  const ownConnections = async (token: string) =>
    (await apiJson<OwnConnection[]>(suite.stack, '/me/connections', { token })).body;
  const totalConnections = async () =>
    (await apiJson<{ total: number }>(suite.stack, '/admin/connections', { token: suite.adminToken })).body.total;

  beforeAll(async () => {
    aliceToken = await login(suite.stack, 'alice@gavel.test');
  }, 120_000);

  it('auth with a valid JWT gets auth.ok from the API; the row has sourceIp and userAgent; close removes it', async () => {
    const socket = await open();
    const answer = await authenticate(socket, aliceToken);
    expect(answer.type, suite.stack.output()).toBe('auth.ok');
    const { data } = answer as AuthOkEvent;
    expect(data.connectionId).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    const me = await apiJson<{ id: number | string }>(suite.stack, '/auth/me', { token: aliceToken });
    expect(String(data.userId)).toBe(String(me.body.id));
    // The Lambda sends nothing itself: exactly one auth.ok.
    expect(await socket.silentFor(300)).toBe(true);

    const rows = await ownConnections(aliceToken);
    expect(rows).toEqual([
      expect.objectContaining({
        connectionId: data.connectionId,
        sourceIp: '127.0.0.1',
        userAgent: 'gavel-stack-test/1.0',
      }),
    ]);

    await socket.close();
    await waitFor(async () => expect(await ownConnections(aliceToken)).toEqual([]), { timeout: 10_000 });
  });

  it('two connections of one user are two rows', async () => {
    const [first, second] = await Promise.all([open('tab-one'), open('phone')]);
    const ids = [];
    for (const socket of [first, second]) {
      const answer = await authenticate(socket, aliceToken);
      expect(answer.type).toBe('auth.ok');
      ids.push((answer as AuthOkEvent).data.connectionId);
    }
    const rows = await ownConnections(aliceToken);
    expect(rows.map((r) => r.connectionId).sort()).toEqual([...ids].sort());
    expect(rows.map((r) => r.userAgent).sort()).toEqual(['phone', 'tab-one']);
    await Promise.all([first!.close(), second!.close()]);
    await waitFor(async () => expect(await ownConnections(aliceToken)).toEqual([]), { timeout: 10_000 });
  });

  it.each([
    ['a malformed token', 'not-a-jwt'],
    ['a token signed with another secret', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'],
    ['an expired token', signJwt({ sub: '1', email: 'alice@gavel.test', iat: 1_600_000_000, exp: 1_600_000_060 })],
  ])('%s gets auth.error 401 and no row', async (_case, token) => {
    const socket = await open();
    const answer = await authenticate(socket, token);
    expect(answer).toEqual({ type: 'auth.error', data: { status: 401, message: expect.any(String) } });
    expect(await totalConnections()).toBe(0);
    // Still connected and served.
    socket.send({ action: 'ping' });
    expect(await socket.nextJson()).toEqual({ type: 'pong' });
    await socket.close();
  });

  it('a malformed auth message gets auth.error 400 from the Lambda', async () => {
    const socket = await open();
    socket.send({ action: 'auth' });
    expect(await socket.nextJson()).toEqual({
      type: 'auth.error',
      data: { status: 400, message: expect.stringContaining('token') },
    });
    await socket.close();
  });

  it('the management API of the gateway process answers the SDK; DeleteConnection closes the client and its row goes', async () => {
    const socket = await open('sdk-check');
    const answer = (await authenticate(socket, aliceToken)) as AuthOkEvent;
    expect(answer.type).toBe('auth.ok');
    const client = new ApiGatewayManagementApiClient({
      endpoint: suite.stack.managementUrl,
      region: STACK_SECRETS.AWS_REGION,
      credentials: {
        accessKeyId: STACK_SECRETS.AWS_ACCESS_KEY_ID,
        secretAccessKey: STACK_SECRETS.AWS_SECRET_ACCESS_KEY,
      },
    });
    const live = await client.send(new GetConnectionCommand({ ConnectionId: answer.data.connectionId }));
    expect(live.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'sdk-check' });
    await client.send(new DeleteConnectionCommand({ ConnectionId: answer.data.connectionId }));
    expect((await socket.closed).code).toBe(1000);
    await waitFor(async () => expect(await ownConnections(aliceToken)).toEqual([]), { timeout: 10_000 });
  });

  // Last: it stops the API.
  it('with the API down, auth gets auth.error 503 and the gateway keeps serving', async () => {
    const socket = await open();
    await suite.stack.stopApi();
    const answer = await authenticate(socket, aliceToken);
    expect(answer).toEqual({ type: 'auth.error', data: { status: 503, message: expect.any(String) } });
    socket.send({ action: 'ping' });
    expect(await socket.nextJson()).toEqual({ type: 'pong' });
    const another = await open();
    another.send({ action: 'ping' });
    expect(await another.nextJson()).toEqual({ type: 'pong' });
  });
});

describe.each(databaseKinds())('whole stack: a Lambda configured with the wrong API key (%s)', (kind) => {
  let stack: Stack;
  let adminToken: string;

  beforeAll(async () => {
    stack = await startStack({ database: kind, gatewayEnv: { GATEWAY_API_KEY: 'not-the-gateway-key' } });
    adminToken = await login(stack, 'admin@gavel.test');
  }, 120_000);
  afterAll(() => stack?.stop(), 120_000);

  it('gets auth.error 403 and no row', async () => {
    const token = await login(stack, 'bob@gavel.test');
    const socket = await TestSocket.open(stack.wsUrl);
    socket.send({ action: 'auth', token });
    expect(await socket.nextJson(10_000)).toEqual({
      type: 'auth.error',
      data: { status: 403, message: expect.any(String) },
    });
    const { body } = await apiJson<{ total: number }>(stack, '/admin/connections', { token: adminToken });
    expect(body.total).toBe(0);
    await socket.close();
  });
});
