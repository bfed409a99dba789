/** The Lambdas' endpoints over HTTP: key and JWT checks, idempotent registration, conflicts, deletion, cascade. */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { waitFor } from '../support/wait-for.js';
import { UserRepository } from '../../apps/api/src/modules/user/user.repository.js';
import { databaseKinds } from '../support/databases.js';
import { type ApiHarness, call, newUser, startApi, TEST_SECRETS } from './api-harness.js';

/** An HS256 JWT signed with `secret` (to forge wrong-signature and expired tokens). */
function signJwt(payload: Record<string, unknown>, secret: string): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

let idCounter = 0;
/** Looks like an AWS connection id: 16 chars of base64 ending in `=`. */
function connectionId(): string {
  idCounter += 1;
  return `T${Date.now().toString(36)}${idCounter.toString(36)}`.padEnd(15, 'x').slice(0, 15) + '=';
}

describe.each(databaseKinds())('socket-connections API (%s)', (kind) => {
  let api: ApiHarness;
  const key = { 'x-api-key': TEST_SECRETS.GATEWAY_API_KEY };
  const register = (token: string | undefined, body: Record<string, unknown>, headers: Record<string, string> = key) =>
    call(api.baseUrl, 'POST', '/socket-connections', { token, body, headers });

  beforeAll(async () => {
    api = await startApi(kind);
  }, 120_000);
  afterAll(async () => {
    await api?.close();
  }, 120_000);

  it('answers 403 for a missing or forged key, checked before the JWT', async () => {
    const user = await newUser(api.baseUrl);
    const id = connectionId();
    expect((await register(user.token, { connectionId: id }, {})).status).toBe(403);
    expect((await register(user.token, { connectionId: id }, { 'x-api-key': 'forged' })).status).toBe(403);
    expect(
      (await register(user.token, { connectionId: id }, { 'x-api-key': TEST_SECRETS.SERVICE_API_KEY })).status,
    ).toBe(403);
    expect(
      (await register(user.token, { connectionId: id }, { 'x-api-key': `${TEST_SECRETS.GATEWAY_API_KEY}x` })).status,
    ).toBe(403);
    const bothBad = await register('garbage', { connectionId: id }, { 'x-api-key': 'forged' });
    expect(bothBad.status).toBe(403);
    expect(bothBad.body).toEqual({ statusCode: 403, message: 'Missing or invalid API key', error: 'Forbidden' });
    expect((await call(api.baseUrl, 'DELETE', `/socket-connections/${id}`)).status).toBe(403);
    expect((await call(api.baseUrl, 'GET', '/me/connections', { token: user.token })).body).toEqual([]);
  });

  it('answers 401 for a missing, malformed, expired or wrongly signed JWT', async () => {
    const user = await newUser(api.baseUrl);
    const now = Math.floor(Date.now() / 1000);
    const tokens: Record<string, string | undefined> = {
      missing: undefined,
      malformed: 'not.a.jwt',
      expired: signJwt(
        { sub: String(user.id), roles: ['user'], iat: now - 7200, exp: now - 3600 },
        TEST_SECRETS.JWT_SECRET,
      ),
      wrongSignature: signJwt(
        { sub: String(user.id), roles: ['user'], iat: now, exp: now + 3600 },
        'another-secret-that-is-long-enough-123',
      ),
      algNone: `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: String(user.id), exp: now + 3600 })).toString('base64url')}.`,
    };
    for (const [name, token] of Object.entries(tokens)) {
      const answer = await register(token, { connectionId: connectionId() });
      expect(answer.status, name).toBe(401);
      expect(answer.body.error, name).toBe('Unauthorized');
    }
    const expired = await register(tokens.expired, { connectionId: connectionId() });
    expect(expired.body.message).toBe('Token expired');
  });

  it('registers with 201, again by the same user with 200 and one row; another user gets 409', async () => {
    const alice = await newUser(api.baseUrl, 'Alice');
    const bob = await newUser(api.baseUrl, 'Bob');
    const id = connectionId();
    const first = await register(alice.token, {
      connectionId: id,
      sourceIp: '203.0.113.7',
      userAgent: 'Mozilla/5.0 test',
      since: '41',
    });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ connectionId: id, userId: alice.id, createdAt: expect.any(String) });
    const again = await register(alice.token, { connectionId: id, since: 7 });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const stolen = await register(bob.token, { connectionId: id });
    expect(stolen.status).toBe(409);
    expect(stolen.body).toEqual({
      statusCode: 409,
      message: 'Connection id is registered to another user',
      error: 'Conflict',
    });

    const mine = await call(api.baseUrl, 'GET', '/me/connections', { token: alice.token });
    expect(mine.body).toEqual([
      {
        connectionId: id,
        createdAt: first.body.createdAt,
        lastSeenAt: expect.any(String),
        sourceIp: '203.0.113.7',
        userAgent: 'Mozilla/5.0 test',
      },
    ]);
    expect((await call(api.baseUrl, 'GET', '/me/connections', { token: bob.token })).body).toEqual([]);
  });

  it('tells connection ids apart by case', async () => {
    const user = await newUser(api.baseUrl);
    const other = await newUser(api.baseUrl);
    expect((await register(user.token, { connectionId: 'CaseTestAbcdEF0=' })).status).toBe(201);
    expect((await register(other.token, { connectionId: 'casetestabcdef0=' })).status).toBe(201);
    expect(
      (await call(api.baseUrl, 'GET', '/me/connections', { token: other.token })).body.map(
        (c: { connectionId: string }) => c.connectionId,
      ),
    ).toEqual(['casetestabcdef0=']);
  });

  it('calls the registration hook after answering (auth.ok reaches the management endpoint)', async () => {
    const user = await newUser(api.baseUrl);
    const id = connectionId();
    expect((await register(user.token, { connectionId: id })).status).toBe(201);
    await waitFor(
      () => expect(api.pushes.filter((p) => p.connectionId === id && p.method === 'POST').length).toBeGreaterThan(0),
      { timeout: 5000 },
    );
    const frame = JSON.parse(api.pushes.find((p) => p.connectionId === id)!.body);
    expect(frame).toMatchObject({ type: 'auth.ok', data: { userId: user.id, connectionId: id } });
  });

  it('validates the body: connection id format, since, unknown fields', async () => {
    const user = await newUser(api.baseUrl);
    for (const bad of ['', 'has space', 'x'.repeat(129), 'tab\there', 'ünïcode', 42]) {
      const answer = await register(user.token, { connectionId: bad });
      expect(answer.status, JSON.stringify(bad)).toBe(400);
      expect(JSON.stringify(answer.body.message)).toContain('connectionId');
    }
    expect((await register(user.token, { connectionId: 'x'.repeat(128) })).status).toBe(201);
    expect((await register(user.token, { connectionId: connectionId(), since: '12a' })).body.message).toEqual([
      expect.stringContaining('since'),
    ]);
    expect((await register(user.token, { connectionId: connectionId(), since: -1 })).status).toBe(400);
    expect((await register(user.token, { connectionId: connectionId(), userId: 1 })).body.message).toEqual([
      'property userId should not exist',
    ]);
    expect((await register(user.token, {})).status).toBe(400);
  });

  it('deletes with the key only: 204, and 204 again when already gone', async () => {
    const user = await newUser(api.baseUrl);
    const id = connectionId();
    await register(user.token, { connectionId: id });
    const path = `/socket-connections/${encodeURIComponent(id)}`;
    const first = await call(api.baseUrl, 'DELETE', path, { headers: key });
    expect(first.status).toBe(204);
    expect(first.body).toBeUndefined();
    expect((await call(api.baseUrl, 'DELETE', path, { headers: key })).status).toBe(204);
    expect((await call(api.baseUrl, 'GET', '/me/connections', { token: user.token })).body).toEqual([]);
    // The id is free again, for anyone.
    const other = await newUser(api.baseUrl);
    expect((await register(other.token, { connectionId: id })).status).toBe(201);
  });

  it('removes a user’s connections when the user is deleted', async () => {
    const user = await newUser(api.baseUrl);
    const keep = await newUser(api.baseUrl);
    const ids = [connectionId(), connectionId()];
    for (const id of ids) expect((await register(user.token, { connectionId: id })).status).toBe(201);
    const kept = connectionId();
    await register(keep.token, { connectionId: kept });

    expect(await api.app.get(UserRepository).delete(user.id)).toBe(true);
    const { SocketConnectionRepository } =
      await import('../../apps/api/src/modules/socket-connection/socket-connection.repository.js');
    const repository = api.app.get(SocketConnectionRepository);
    for (const id of ids) expect(await repository.findByConnectionId(id)).toBeNull();
    expect(await repository.findConnectionIdsByUser(keep.id)).toEqual([kept]);
    // A deleted user's token no longer works.
    expect((await call(api.baseUrl, 'GET', '/auth/me', { token: user.token })).status).toBe(401);
  });

  it('answers 401 to a valid token whose user is gone (the insert’s foreign key decides), and stores nothing', async () => {
    const gone = await newUser(api.baseUrl);
    const holder = await newUser(api.baseUrl);
    const held = connectionId();
    expect((await register(holder.token, { connectionId: held })).status).toBe(201);
    expect(await api.app.get(UserRepository).delete(gone.id)).toBe(true);
    const now = Math.floor(Date.now() / 1000);
    const neverExisted = signJwt(
      { sub: '987654321', roles: ['admin'], iat: now, exp: now + 3600 },
      TEST_SECRETS.JWT_SECRET,
    );

    const fresh = connectionId();
    const invalid = { statusCode: 401, message: 'Invalid token', error: 'Unauthorized' };
    expect(await register(gone.token, { connectionId: fresh })).toMatchObject({ status: 401, body: invalid });
    expect(await register(neverExisted, { connectionId: connectionId() })).toMatchObject({
      status: 401,
      body: invalid,
    });
    // Also when the id is someone else's: the token is refused before any question of who holds the id.
    expect(await register(gone.token, { connectionId: held })).toMatchObject({ status: 401, body: invalid });

    const { SocketConnectionRepository } =
      await import('../../apps/api/src/modules/socket-connection/socket-connection.repository.js');
    const repository = api.app.get(SocketConnectionRepository);
    expect(await repository.findByConnectionId(fresh)).toBeNull();
    expect(await repository.findByConnectionId(held)).toMatchObject({ userId: holder.id });
    await sleep(100);
    expect(api.pushes.filter((p) => p.connectionId === fresh)).toEqual([]);
  });

  it('the repository’s insert returns the row exactly as stored (id, dates, nulls)', async () => {
    const user = await newUser(api.baseUrl);
    const { SocketConnectionRepository } =
      await import('../../apps/api/src/modules/socket-connection/socket-connection.repository.js');
    const repository = api.app.get(SocketConnectionRepository);
    const id = connectionId();
    const inserted = await repository.insert({
      connectionId: id,
      userId: user.id,
      sourceIp: '198.51.100.9',
      userAgent: null,
    });
    expect(typeof inserted).not.toBe('string');
    const stored = await repository.findByConnectionId(id);
    expect(stored).toEqual(inserted);
    expect(Number.isSafeInteger(stored!.id) && stored!.id > 0).toBe(true);
    expect(await repository.insert({ connectionId: id, userId: user.id, sourceIp: null, userAgent: null })).toBe(
      'taken',
    );
    expect(
      await repository.insert({ connectionId: connectionId(), userId: 987654321, sourceIp: null, userAgent: null }),
    ).toBe('unknown-user');
  });

  it('registers the same id concurrently from one user into exactly one row', async () => {
    const user = await newUser(api.baseUrl);
    const id = connectionId();
    const answers = await Promise.all(Array.from({ length: 8 }, () => register(user.token, { connectionId: id })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(7);
    expect((await call(api.baseUrl, 'GET', '/me/connections', { token: user.token })).body).toHaveLength(1);
  });
});
