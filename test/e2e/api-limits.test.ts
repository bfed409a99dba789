/**
 * The limits of contract §3 over HTTP against the real app and database: login buckets keyed on the
 * client behind TRUST_PROXY hops (and not on a spoofed X-Forwarded-For without it), register and bid
 * limits with Retry-After, and start-up refusing a bad value of each variable.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApp } from '../../apps/api/src/app.factory.js';
import { ConfigValidationError } from '../../apps/api/src/config/env.js';
import { databaseKinds } from '../support/databases.js';
import { type ApiHarness, call, newAdmin, newUser, startApi } from './api-harness.js';

const login = (api: ApiHarness, email: string, forwardedFor?: string) =>
  call(api.baseUrl, 'POST', '/auth/login', {
    body: { email, password: 'wrong-password' },
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });

const statusesOf = async (count: number, attempt: () => Promise<{ status: number }>) => {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await attempt()).status);
  return statuses;
};

describe.each(databaseKinds())('rate limits behind a proxy (%s)', (kind) => {
  let api: ApiHarness;
  let direct: ApiHarness;

  beforeAll(async () => {
    // One after the other, `api` last: passport keeps its strategies in one process-wide registry, so the JWT
    // strategy of the app built last (with its own database) verifies the tokens of both. `direct` only serves
    // logins, which need no token.
    direct = await startApi(kind, { LOGIN_RATE_LIMIT: '3' });
    api = await startApi(kind, {
      TRUST_PROXY: '1',
      LOGIN_RATE_LIMIT: '3',
      REGISTER_RATE_LIMIT: '20/1m',
      BID_RATE_LIMIT: '3/1m',
    });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([api?.close(), direct?.close()]);
  }, 120_000);

  it('TRUST_PROXY=1: two clients behind one balancer have their own login buckets', async () => {
    // Both arrive from 127.0.0.1 (the "balancer"); only X-Forwarded-For tells them apart.
    expect(await statusesOf(4, () => login(api, 'shared@example.com', '198.51.100.7'))).toEqual([401, 401, 401, 429]);
    const limited = await login(api, 'shared@example.com', '198.51.100.7');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    // The balancer appends the address it saw: with one hop trusted, the client is the last entry.
    expect((await login(api, 'shared@example.com', '203.0.113.9')).status).toBe(401);
    expect((await login(api, 'shared@example.com', '198.51.100.7, 203.0.113.10')).status).toBe(401);
  });

  it('without TRUST_PROXY a spoofed X-Forwarded-For does not buy a fresh bucket', async () => {
    expect(await statusesOf(3, () => login(direct, 'spoof@example.com', '198.51.100.1'))).toEqual([401, 401, 401]);
    expect((await login(direct, 'spoof@example.com', '198.51.100.2')).status).toBe(429);
    expect((await login(direct, 'spoof@example.com')).status).toBe(429);
  });

  it('registration is limited per client IP (20 a minute, the default): the 21st gets 429 with Retry-After, another client does not', async () => {
    const register = (i: number, ip: string) =>
      call(api.baseUrl, 'POST', '/auth/register', {
        body: { email: `reg${i}-${ip}@example.com`, password: 'password-123', displayName: 'R' },
        headers: { 'x-forwarded-for': ip },
      });
    const statuses = await statusesOf(21, async () => register(Math.random(), '192.0.2.50'));
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(201));
    expect(statuses[20]).toBe(429);
    const limited = await register(99, '192.0.2.50');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await register(100, '192.0.2.51')).status).toBe(201);
  });

  it('bids are limited per user: over BID_RATE_LIMIT 429 with Retry-After, other users unaffected', async () => {
    const admin = await newAdmin(api);
    const auction = await call(api.baseUrl, 'POST', '/auctions', {
      token: admin.token,
      body: { title: 'Rate limited', startingPriceCents: 100, endsAt: new Date(Date.now() + 3_600_000).toISOString() },
    });
    expect(auction.status).toBe(201);
    const [eve, frank] = [await newUser(api.baseUrl, 'Eve'), await newUser(api.baseUrl, 'Frank')];
    let price = 100;
    const bid = (token: string) =>
      call(api.baseUrl, 'POST', `/auctions/${auction.body.id}/bids`, { token, body: { amountCents: (price += 10) } });
    expect(await statusesOf(3, () => bid(eve.token))).toEqual([201, 201, 201]);
    const limited = await bid(eve.token);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await bid(frank.token)).status).toBe(201);
    const detail = await call(api.baseUrl, 'GET', `/auctions/${auction.body.id}`);
    expect(detail.body.bidCount).toBe(4);
  });
});

describe('rate-limit configuration', () => {
  it.each([
    ['LOGIN_RATE_LIMIT', '10 per minute'],
    ['REGISTER_RATE_LIMIT', '0'],
    ['BID_RATE_LIMIT', '10/fortnight'],
    ['MAX_CONNECTIONS_PER_USER', '-1'],
    ['TRUST_PROXY', 'true'],
  ])('start-up stops on %s=%j, naming it', async (name, value) => {
    const attempt = createApp({ env: { NODE_ENV: 'test', DATABASE_URL: 'sqlite::memory:', [name]: value } });
    await expect(attempt).rejects.toBeInstanceOf(ConfigValidationError);
    await expect(attempt).rejects.toThrow(name);
  });
});
