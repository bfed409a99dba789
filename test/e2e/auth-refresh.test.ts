/**
 * The web client's refresh cookie through the real API (SQLite and MariaDB): set on login with its
 * attributes, rotated on every POST /auth/refresh, a reused token revokes its family, cross-site Origin
 * refused, logout revokes and clears, sign out everywhere and block revoke every family.
 */
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { databaseKinds } from '../support/databases.js';
import { apiJson, login, startStack, type Stack } from '../support/stack.js';
import { createUser, type TestUser } from './push-support.js';

const PASSWORD = 'correct horse battery';

interface Answer {
  status: number;
  body: Record<string, any> | undefined;
  setCookie: string | undefined;
  /** The gavel_refresh value set by the answer, if any. */
  cookie: string | undefined;
}

describe.each(databaseKinds())('refresh cookie (%s)', (kind) => {
  let stack: Stack;
  let adminToken: string;

  const post = async (
    path: string,
    init: { cookie?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method: 'POST',
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.cookie ? { cookie: `other=1; gavel_refresh=${init.cookie}` } : {}),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    const setCookie = response.headers.get('set-cookie') ?? undefined;
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, any>) : undefined,
      setCookie,
      cookie: /gavel_refresh=([^;]*)/.exec(setCookie ?? '')?.[1] || undefined,
    } satisfies Answer;
  };
  const signIn = (user: TestUser, headers: Record<string, string> = {}) =>
    post('/auth/login', { body: { email: user.email, password: PASSWORD }, headers });
  const me = async (token: string) => (await apiJson(stack, '/auth/me', { token })).status;

  beforeAll(async () => {
    stack = await startStack({ database: kind, apiEnv: { TRUST_PROXY: '1' } });
    adminToken = await login(stack, 'admin@gavel.test');
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  }, 120_000);

  it('login keeps its body and sets gavel_refresh: HttpOnly, SameSite=Strict, Path=/auth, Max-Age 14 d; Secure over https', async () => {
    const user = await createUser(stack, 'Cookie');
    const answer = await signIn(user);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 3600 });
    expect(answer.cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const attributes = answer.setCookie!.split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(
      expect.arrayContaining(['httponly', 'samesite=strict', 'path=/auth', 'max-age=1209600']),
    );
    expect(attributes).not.toContain('secure');
    const https = await signIn(user, { 'x-forwarded-proto': 'https' });
    expect(
      https
        .setCookie!.toLowerCase()
        .split(';')
        .map((a) => a.trim()),
    ).toContain('secure');
  });

  it('refresh: a fresh access token and a rotated cookie; the old cookie reused revokes the whole family', async () => {
    const user = await createUser(stack, 'Rotate');
    const first = (await signIn(user)).cookie!;
    const refreshed = await post('/auth/refresh', { cookie: first });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 3600 });
    expect(refreshed.cookie).toBeDefined();
    expect(refreshed.cookie).not.toBe(first);
    expect(await me(refreshed.body!.accessToken)).toBe(200);
    const second = refreshed.cookie!;
    const third = (await post('/auth/refresh', { cookie: second })).cookie!;

    // A copy of an already rotated token: refused, and the family (the current cookie too) is dead.
    expect((await post('/auth/refresh', { cookie: first })).status).toBe(401);
    expect((await post('/auth/refresh', { cookie: third })).status).toBe(401);
    // Another sign-in is another family, untouched.
    expect((await post('/auth/refresh', { cookie: (await signIn(user)).cookie })).status).toBe(200);
  });

  it('concurrent refreshes with one cookie: at most one wins; the rest count as reuse', async () => {
    const user = await createUser(stack, 'Twice');
    const cookie = (await signIn(user)).cookie!;
    const answers = await Promise.all(Array.from({ length: 5 }, () => post('/auth/refresh', { cookie })));
    expect(answers.filter((a) => a.status === 200).length).toBeLessThanOrEqual(1);
    expect(answers.every((a) => a.status === 200 || a.status === 401)).toBe(true);
  });

  it('401 for a missing, unknown or malformed cookie; 403 for a cross-site Origin; same-origin passes', async () => {
    const user = await createUser(stack, 'Guard');
    expect((await post('/auth/refresh')).status).toBe(401);
    expect((await post('/auth/refresh', { cookie: 'A'.repeat(43) })).status).toBe(401);
    expect((await post('/auth/refresh', { cookie: 'not a token!' })).status).toBe(401);
    const cookie = (await signIn(user)).cookie!;
    for (const origin of ['https://evil.example', 'null'])
      expect((await post('/auth/refresh', { cookie, headers: { origin } })).status, origin).toBe(403);
    expect((await post('/auth/logout', { cookie, headers: { origin: 'https://evil.example' } })).status).toBe(403);
    const host = new URL(stack.apiUrl).host;
    expect((await post('/auth/refresh', { cookie, headers: { origin: `http://${host}` } })).status).toBe(200);
  });

  it("logout: 204, the cookie's family revoked and the cookie cleared; without a cookie still 204", async () => {
    const user = await createUser(stack, 'Out');
    const cookie = (await signIn(user)).cookie!;
    const out = await post('/auth/logout', { cookie });
    expect(out.status).toBe(204);
    expect(out.setCookie).toMatch(/gavel_refresh=;.*(Expires=Thu, 01 Jan 1970|Max-Age=0)/i);
    expect((await post('/auth/refresh', { cookie })).status).toBe(401);
    expect((await post('/auth/logout')).status).toBe(204);
  });

  it('sign out everywhere and block revoke every refresh family', async () => {
    const user = await createUser(stack, 'All');
    const a = await signIn(user);
    const b = (await signIn(user)).cookie!;
    expect(
      (await apiJson(stack, '/auth/logout-all', { method: 'POST', token: a.body!.accessToken as string })).status,
    ).toBe(204);
    expect((await post('/auth/refresh', { cookie: a.cookie })).status).toBe(401);
    expect((await post('/auth/refresh', { cookie: b })).status).toBe(401);

    const c = (await signIn(user)).cookie!;
    expect((await apiJson(stack, `/admin/users/${user.id}/block`, { method: 'POST', token: adminToken })).status).toBe(
      204,
    );
    expect((await post('/auth/refresh', { cookie: c })).status).toBe(401);
    await apiJson(stack, `/admin/users/${user.id}/block`, { method: 'DELETE', token: adminToken });
    // Unblocked: still dead; a new sign-in works.
    expect((await post('/auth/refresh', { cookie: c })).status).toBe(401);
    expect((await post('/auth/refresh', { cookie: (await signIn(user)).cookie })).status).toBe(200);
  });
});
