/** Users over HTTP against the real app and database: register, login, me, validation, rate limit, errors. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { databaseKinds } from '../support/databases.js';
import { type ApiHarness, call, startApi } from './api-harness.js';

describe.each(databaseKinds())('auth API (%s)', (kind) => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi(kind, { LOGIN_RATE_LIMIT: '4', LOGIN_RATE_WINDOW_MS: '60000' });
  }, 120_000);
  afterAll(async () => {
    await api?.close();
  }, 120_000);

  it('registers, logs in and answers /auth/me', async () => {
    const registered = await call(api.baseUrl, 'POST', '/auth/register', {
      body: { email: 'Carol@Example.com', password: 'correct horse', displayName: 'Carol' },
    });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ email: 'carol@example.com', displayName: 'Carol', roles: ['user'] });
    expect(typeof registered.body.id).toBe('number');
    expect(registered.body).not.toHaveProperty('passwordHash');

    const login = await call(api.baseUrl, 'POST', '/auth/login', {
      body: { email: 'carol@example.com', password: 'correct horse' },
    });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });
    const [, payload] = (login.body.accessToken as string).split('.');
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({
      sub: String(registered.body.id),
      roles: ['user'],
    });

    const me = await call(api.baseUrl, 'GET', '/auth/me', { token: login.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: registered.body.id,
      email: 'carol@example.com',
      displayName: 'Carol',
      roles: ['user'],
    });
  });

  it('answers 401 for a wrong password, an unknown email and a missing token', async () => {
    await call(api.baseUrl, 'POST', '/auth/register', {
      body: { email: 'dave@example.com', password: 'right-password', displayName: 'Dave' },
    });
    const wrong = await call(api.baseUrl, 'POST', '/auth/login', {
      body: { email: 'dave@example.com', password: 'wrong-password' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ statusCode: 401, message: 'Invalid email or password', error: 'Unauthorized' });
    const unknown = await call(api.baseUrl, 'POST', '/auth/login', {
      body: { email: 'nobody@example.com', password: 'whatever-pw' },
    });
    expect(unknown.status).toBe(401);
    expect(unknown.body.message).toBe(wrong.body.message);
    const me = await call(api.baseUrl, 'GET', '/auth/me');
    expect(me.status).toBe(401);
    expect(me.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
  });

  it('answers 409 for an email already taken, whatever its case', async () => {
    const first = await call(api.baseUrl, 'POST', '/auth/register', {
      body: { email: 'erin@example.com', password: 'password-1', displayName: 'Erin' },
    });
    expect(first.status).toBe(201);
    const again = await call(api.baseUrl, 'POST', '/auth/register', {
      body: { email: 'ERIN@example.com', password: 'password-2', displayName: 'Erin 2' },
    });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ statusCode: 409, message: 'Email is already registered', error: 'Conflict' });
  });

  it('answers 400 naming every invalid field', async () => {
    const answer = await call(api.baseUrl, 'POST', '/auth/register', {
      body: { email: 'not-an-email', password: 'short', displayName: '' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('Bad Request');
    const messages = (answer.body.message as string[]).join('\n');
    expect(messages).toMatch(/^email /m);
    expect(messages).toMatch(/^password /m);
    expect(messages).toMatch(/^displayName /m);

    const missing = await call(api.baseUrl, 'POST', '/auth/register', { body: {} });
    expect(missing.status).toBe(400);
    expect((missing.body.message as string[]).join('\n')).toMatch(/email[\s\S]*password[\s\S]*displayName/);
  });

  it('rejects unknown fields with 400 and stores nothing', async () => {
    const answer = await call(api.baseUrl, 'POST', '/auth/register', {
      body: { email: 'frank@example.com', password: 'password-1', displayName: 'Frank', role: 'admin' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain('property role should not exist');
    const login = await call(api.baseUrl, 'POST', '/auth/login', {
      body: { email: 'frank@example.com', password: 'password-1' },
    });
    expect(login.status).toBe(401);
  });

  it('stores SQL-injection-looking text verbatim', async () => {
    const displayName = `Robert'); DROP TABLE users;-- "x" \\ %_`;
    const email = "o'brien+x--@example.com";
    const registered = await call(api.baseUrl, 'POST', '/auth/register', {
      body: { email, password: `pw' OR '1'='1`, displayName },
    });
    expect(registered.status).toBe(201);
    expect(registered.body.displayName).toBe(displayName);
    expect(registered.body.email).toBe(email);
    const login = await call(api.baseUrl, 'POST', '/auth/login', { body: { email, password: `pw' OR '1'='1` } });
    expect(login.status).toBe(200);
    const me = await call(api.baseUrl, 'GET', '/auth/me', { token: login.body.accessToken });
    expect(me.body).toMatchObject({ email, displayName });
    const injected = await call(api.baseUrl, 'POST', '/auth/login', {
      body: { email: `' OR 1=1 --`, password: 'anything1' },
    });
    expect(injected.status).toBe(401);
  });

  it('refuses strings that are not valid Unicode with 400, keeps emoji and accents verbatim', async () => {
    const lone = await call(api.baseUrl, 'POST', '/auth/register', {
      body: '{"email":"\\udfff\\ud800@example.com","password":"password-1","displayName":"X"}',
    });
    expect(lone.status).toBe(400);
    expect(lone.body).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringContaining('not valid Unicode'),
    });
    const displayName = 'Zoë 💥 ‮';
    const ok = await call(api.baseUrl, 'POST', '/auth/register', {
      body: { email: 'zoe@example.com', password: 'password-1', displayName },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.displayName).toBe(displayName);
  });

  it('limits login attempts per IP and email with 429, other emails unaffected', async () => {
    const attempt = (email: string) =>
      call(api.baseUrl, 'POST', '/auth/login', { body: { email, password: 'wrong-password' } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt('victim@example.com')).status);
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses.slice(4)).toEqual([429, 429]);
    const limited = await attempt('victim@example.com');
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect((await attempt('someone-else@example.com')).status).toBe(401);
  });

  it('answers 413 in Nest’s shape for a body over the limit, 400 for malformed JSON', async () => {
    const big = await call(api.baseUrl, 'POST', '/auth/register', {
      body: { email: 'big@example.com', password: 'password-1', displayName: 'x'.repeat(300 * 1024) },
    });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    const malformed = await call(api.baseUrl, 'POST', '/auth/login', { body: '{"email":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it('answers unknown routes with a 404 in Nest’s shape', async () => {
    const answer = await call(api.baseUrl, 'GET', '/no-such-route');
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('serves /health (200 with the database up) and the OpenAPI document', async () => {
    const health = await call(api.baseUrl, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    const docs = await fetch(`${api.baseUrl}/docs`);
    expect(docs.status).toBe(200);
    const spec = await call(api.baseUrl, 'GET', '/docs-json');
    expect(spec.status).toBe(200);
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining([
        '/auth/register',
        '/auth/login',
        '/auth/me',
        '/socket-connections',
        '/admin/connections',
        '/health',
      ]),
    );
    expect(spec.body.components.schemas.RegisterDto.required).toEqual(
      expect.arrayContaining(['email', 'password', 'displayName']),
    );
  });

  it('sets helmet’s security headers', async () => {
    const response = await fetch(`${api.baseUrl}/health`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-powered-by')).toBeNull();
  });
});
