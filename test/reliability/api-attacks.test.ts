/**
 * Attacks on the API itself (createApp on a real port, real database): forged and tampered JWTs,
 * the gateway-only routes without the key or with someone else's token, users reaching for other
 * users' connections, login brute force — and afterwards no secret in the log or in any answer.
 */
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { databaseKinds } from '../support/databases.js';
import { type InProcessApi, startInProcessApi } from './support/in-process-api.js';
import { forgeJwt, http, type HttpAnswer, jwtPayload, login, tamperJwt } from './support/http.js';
import { leakedSecrets } from './support/log-capture.js';

const PASSWORD = 'gavel-demo';
// The demo password is printed at start-up in development by design; this one is a real user's secret.
const VICTIM_PASSWORD = `Victim-${Math.random().toString(36).slice(2)}-pass`;

describe.each(databaseKinds())('attacks on the API (%s)', (kind) => {
  let api: InProcessApi;
  let aliceToken: string;
  let bobToken: string;
  let adminToken: string;
  /** Every answer body seen, to grep for secrets at the end. */
  const answers: string[] = [];

  const call = async (path: string, request: Parameters<typeof http>[2] = {}): Promise<HttpAnswer> => {
    const answer = await http(api.baseUrl, path, request);
    answers.push(answer.text);
    return answer;
  };
  const gatewayKey = () => ({ 'x-api-key': api.secrets.GATEWAY_API_KEY });

  beforeAll(async () => {
    // A small login limit so the brute-force test needs few requests.
    api = await startInProcessApi(kind, { env: { LOGIN_RATE_LIMIT: '5', LOGIN_RATE_WINDOW_MS: '60000' } });
    aliceToken = await login(api.baseUrl, 'alice@gavel.test', PASSWORD);
    bobToken = await login(api.baseUrl, 'bob@gavel.test', PASSWORD);
    adminToken = await login(api.baseUrl, 'admin@gavel.test', PASSWORD);
    const victim = await http(api.baseUrl, '/auth/register', {
      body: { email: 'victim@gavel.test', password: VICTIM_PASSWORD, displayName: 'Victim' },
    });
    expect(victim.status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await api?.close();
  }, 120_000);

  describe('JWT', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const aliceClaims = () => ({ ...jwtPayload(aliceToken) });

    it('accepts the genuine token (control)', async () => {
      expect((await call('/auth/me', { token: aliceToken })).status).toBe(200);
    });

    it.each([
      ['alg none, no signature', () => forgeJwt({ alg: 'none', typ: 'JWT' }, aliceClaims())],
      [
        'alg none, with the original signature',
        () => `${forgeJwt({ alg: 'none', typ: 'JWT' }, aliceClaims())}${aliceToken.split('.')[2]}`,
      ],
      ['alg NONE (case games)', () => forgeJwt({ alg: 'NONE', typ: 'JWT' }, aliceClaims())],
      [
        'the wrong secret',
        () => forgeJwt({ alg: 'HS256', typ: 'JWT' }, aliceClaims(), 'not-the-secret-not-the-secret-not-the-secret'),
      ],
      [
        'the right secret but HS512 (algorithm not allowed)',
        () => forgeJwt({ alg: 'HS512', typ: 'JWT' }, aliceClaims(), api.secrets.JWT_SECRET),
      ],
      [
        'expired',
        () =>
          forgeJwt(
            { alg: 'HS256', typ: 'JWT' },
            { ...aliceClaims(), iat: now() - 7200, exp: now() - 3600 },
            api.secrets.JWT_SECRET,
          ),
      ],
      [
        'tampered roles (admin) with the original signature',
        () => tamperJwt(aliceToken, (p) => ({ ...p, roles: ['admin'] })),
      ],
      [
        'tampered sub (bob) with the original signature',
        () => tamperJwt(aliceToken, (p) => ({ ...p, sub: jwtPayload(bobToken).sub })),
      ],
      [
        'a token of a user that does not exist, correctly signed',
        () =>
          forgeJwt(
            { alg: 'HS256', typ: 'JWT' },
            { sub: '999999', roles: ['admin'], email: 'ghost@gavel.test', exp: now() + 600 },
            api.secrets.JWT_SECRET,
          ),
      ],
      [
        'a non-numeric sub, correctly signed',
        () =>
          forgeJwt(
            { alg: 'HS256', typ: 'JWT' },
            { sub: '1 OR 1=1', roles: ['user'], exp: now() + 600 },
            api.secrets.JWT_SECRET,
          ),
      ],
      ['garbage', () => 'not.a.jwt'],
      ['three empty parts', () => '..'],
    ])('refuses %s with 401 on user and admin routes', async (_name, makeToken) => {
      const token = makeToken();
      for (const path of ['/auth/me', '/me/connections', '/admin/connections']) {
        const answer = await call(path, { token });
        expect(answer.status, `${path}: ${answer.text}`).toBe(401);
        expect(answer.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      }
    });

    it('takes roles from the database, not from the token: a correctly signed "admin" claim of a user gets 403', async () => {
      const forged = forgeJwt(
        { alg: 'HS256', typ: 'JWT' },
        { ...aliceClaims(), roles: ['admin'], exp: now() + 600 },
        api.secrets.JWT_SECRET,
      );
      expect((await call('/auth/me', { token: forged })).status).toBe(200);
      expect((await call('/admin/connections', { token: forged })).status).toBe(403);
    });

    it('refuses the token in the wrong place (query string, cookie, no Bearer prefix)', async () => {
      expect((await call(`/auth/me?access_token=${aliceToken}`)).status).toBe(401);
      expect((await call('/auth/me', { headers: { cookie: `token=${aliceToken}` } })).status).toBe(401);
      expect((await call('/auth/me', { headers: { authorization: aliceToken } })).status).toBe(401);
    });

    it('answers a 12 KB Authorization header without a blank with 401, and keeps answering', async () => {
      // The pattern passport-jwt used backtracked quadratically on such a header (~130 ms of CPU for 16 KB).
      const answer = await call('/auth/me', { headers: { authorization: `Bearer${'A'.repeat(12_000)}` } });
      expect(answer.status, answer.text).toBe(401);
      expect(answer.body).toMatchObject({ message: 'Missing bearer token' });
      expect((await call('/auth/me', { token: aliceToken })).status).toBe(200);
    });
  });

  describe('gateway-only routes', () => {
    const register = (connectionId: string, headers: Record<string, string>, token?: string) =>
      call('/socket-connections', { body: { connectionId, sourceIp: '203.0.113.9' }, headers, token });

    it('registering a connection without the gateway key, or with a wrong or another kind of key, is 403', async () => {
      expect((await register('NoKeyConnAAAAA1=', {}, aliceToken)).status).toBe(403);
      expect((await register('NoKeyConnAAAAA2=', { 'x-api-key': 'wrong-key-wrong-key' }, aliceToken)).status).toBe(403);
      expect(
        (await register('NoKeyConnAAAAA3=', { 'x-api-key': api.secrets.SERVICE_API_KEY }, aliceToken)).status,
      ).toBe(403);
      expect(
        (await register('NoKeyConnAAAAA4=', { 'x-api-key': `${api.secrets.GATEWAY_API_KEY}x` }, aliceToken)).status,
      ).toBe(403);
      // Even an admin's JWT does not replace the gateway key.
      expect((await register('NoKeyConnAAAAA5=', {}, adminToken)).status).toBe(403);
      const own = await call('/me/connections', { token: aliceToken });
      expect(own.body.map((c: { connectionId: string }) => c.connectionId)).not.toContain('NoKeyConnAAAAA1=');
    });

    it('the gateway key without a user JWT is 401, and a bad JWT with a bad key is 403 (key checked first)', async () => {
      expect((await register('KeyNoJwtAAAAAA1=', gatewayKey())).status).toBe(401);
      expect((await register('KeyNoJwtAAAAAA2=', {}, 'bad.jwt.here')).status).toBe(403);
    });

    it("registering an id held by another user (with one's own valid token) is 409, never a takeover", async () => {
      expect((await register('HeldByAliceAAA1=', gatewayKey(), aliceToken)).status).toBe(201);
      expect((await register('HeldByAliceAAA1=', gatewayKey(), aliceToken)).status).toBe(200);
      const stolen = await register('HeldByAliceAAA1=', gatewayKey(), bobToken);
      expect(stolen.status).toBe(409);
      expect(stolen.body).toMatchObject({ statusCode: 409 });
      const alice = await call('/me/connections', { token: aliceToken });
      const bob = await call('/me/connections', { token: bobToken });
      expect(alice.body.map((c: { connectionId: string }) => c.connectionId)).toContain('HeldByAliceAAA1=');
      expect(bob.body.map((c: { connectionId: string }) => c.connectionId)).not.toContain('HeldByAliceAAA1=');
    });

    it("deleting a connection row needs the gateway key: a user JWT (even the owner's) is 403 and the row stays", async () => {
      expect((await register('DeleteMeAAAAAA1=', gatewayKey(), aliceToken)).status).toBe(201);
      expect((await call('/socket-connections/DeleteMeAAAAAA1%3D', { method: 'DELETE', token: bobToken })).status).toBe(
        403,
      );
      expect(
        (await call('/socket-connections/DeleteMeAAAAAA1%3D', { method: 'DELETE', token: aliceToken })).status,
      ).toBe(403);
      const alice = await call('/me/connections', { token: aliceToken });
      expect(alice.body.map((c: { connectionId: string }) => c.connectionId)).toContain('DeleteMeAAAAAA1=');
      expect(
        (await call('/socket-connections/DeleteMeAAAAAA1%3D', { method: 'DELETE', headers: gatewayKey() })).status,
      ).toBe(204);
    });
  });

  describe("other users' connections", () => {
    beforeAll(async () => {
      const answer = await http(api.baseUrl, '/socket-connections', {
        body: { connectionId: 'AliceSecretAAA1=' },
        headers: gatewayKey(),
        token: aliceToken,
      });
      expect(answer.status).toBe(201);
    }, 120_000);

    it('a user sees only their own connections on /me/connections', async () => {
      const bob = await call('/me/connections', { token: bobToken });
      expect(bob.status).toBe(200);
      expect(bob.body.map((c: { connectionId: string }) => c.connectionId)).not.toContain('AliceSecretAAA1=');
    });

    it('a user reading or closing connections through /admin is 403, and the connection is untouched', async () => {
      const aliceId = jwtPayload(aliceToken).sub as string;
      expect((await call(`/admin/connections?userId=${aliceId}`, { token: bobToken })).status).toBe(403);
      expect((await call('/admin/connections/AliceSecretAAA1%3D', { token: bobToken })).status).toBe(403);
      expect((await call('/admin/connections/AliceSecretAAA1%3D', { method: 'DELETE', token: bobToken })).status).toBe(
        403,
      );
      expect((await call('/admin/stats', { token: bobToken })).status).toBe(403);
      const alice = await call('/me/connections', { token: aliceToken });
      expect(alice.body.map((c: { connectionId: string }) => c.connectionId)).toContain('AliceSecretAAA1=');
    });

    it('the admin sees it (control)', async () => {
      const answer = await call('/admin/connections', { token: adminToken });
      expect(answer.status).toBe(200);
      expect(answer.body.items.map((c: { connectionId: string }) => c.connectionId)).toContain('AliceSecretAAA1=');
    });
  });

  describe('login brute force', () => {
    it('answers 429 after the limit for one address and email, without ever answering 200 to a wrong password', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        statuses.push(
          (await call('/auth/login', { body: { email: 'victim@gavel.test', password: `guess-${i}-wrong` } })).status,
        );
      }
      expect(statuses).not.toContain(200);
      expect(statuses.slice(0, 5).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
      // Even the right password is refused while the window lasts: the attacker cannot confirm a guess.
      expect(
        (await call('/auth/login', { body: { email: 'victim@gavel.test', password: VICTIM_PASSWORD } })).status,
      ).toBe(429);
    });

    it('email case and padding do not open a fresh window', async () => {
      const status = (
        await call('/auth/login', { body: { email: 'VICTIM@gavel.test', password: 'another-wrong-guess' } })
      ).status;
      expect(status).toBe(429);
    });

    it('another account is not locked out by the attack on the victim', async () => {
      expect((await call('/auth/login', { body: { email: 'bob@gavel.test', password: PASSWORD } })).status).toBe(200);
    });
  });

  describe('secrets', () => {
    it('never appear in the captured log or in any answer body', async () => {
      // A few requests that log errors: bad keys, bad tokens, a wrong password.
      await call('/socket-connections', {
        body: { connectionId: 'LogProbeAAAAAA1=' },
        headers: { 'x-api-key': api.secrets.SERVICE_API_KEY },
        token: aliceToken,
      });
      await call('/auth/me', { token: forgeJwt({ alg: 'HS256' }, { sub: '1' }, api.secrets.JWT_SECRET) });
      await call('/auth/login', { body: { email: 'carol@gavel.test', password: 'SuperSecretPassword-xyz' } });
      const secrets = {
        ...api.secrets,
        victimPassword: VICTIM_PASSWORD,
        probePassword: 'SuperSecretPassword-xyz',
        aliceToken,
        adminToken,
      };
      const log = api.logs.text();
      expect(log.length).toBeGreaterThan(0);
      expect(leakedSecrets(log, secrets)).toEqual([]);
      expect(leakedSecrets(answers.join('\n'), { ...api.secrets, victimPassword: VICTIM_PASSWORD })).toEqual([]);
    });
  });
});
