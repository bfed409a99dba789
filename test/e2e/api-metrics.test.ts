/**
 * GET /metrics in-process (createApp as production builds it): the exposition format, route templates
 * instead of raw URLs (unknown URLs collapse to one label), no rate limit, the METRICS_TOKEN guard, the
 * OpenAPI entry (text, not JSON), and the connection gauge and push counters following a registration.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect.js';
import { databaseKinds } from '../support/databases.js';
import { samplesOf, scrape, valueOf } from '../support/prometheus.js';
import { waitFor } from '../support/wait-for.js';
import { type ApiHarness, call, newUser, startApi, TEST_SECRETS } from './api-harness.js';

const HTTP = 'gavel_http_request_duration_seconds_count';
const TOKEN = 'metrics-test-token-0123456789abcdef';

describe.each(databaseKinds())('GET /metrics, no METRICS_TOKEN (%s)', (kind) => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi(kind);
  }, 120_000);
  afterAll(async () => {
    await api?.close().catch(() => undefined);
  }, 120_000);

  it('serves the text exposition format with every Gavel metric (the process defaults: stack-metrics.test.ts)', async () => {
    const response = await fetch(`${api.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    for (const name of [
      'gavel_http_request_duration_seconds',
      'gavel_management_api_request_duration_seconds',
      'gavel_pushes_total',
      'gavel_push_retries_total',
      'gavel_stale_connections_removed_total',
      'gavel_socket_connections',
      'gavel_users_online',
      'gavel_subscriptions',
    ])
      expect(text, name).toContain(`# TYPE ${name} `);
    // mysql2's pool is reported; SQLite has one synchronous connection and no pool.
    expect(text.includes('# TYPE gavel_db_pool_connections gauge')).toBe(kind === 'mysql');
    const samples = await scrape(api.baseUrl);
    for (const outcome of ['delivered', 'gone', 'forbidden', 'throttled', 'too-large', 'failed'])
      expect(valueOf(samples, 'gavel_pushes_total', { outcome }), outcome).toBe(0);
    if (kind === 'mysql') {
      expect(valueOf(samples, 'gavel_db_pool_max_connections')).toBe(10);
      expect(valueOf(samples, 'gavel_db_pool_connections', { state: 'idle' })).toBeGreaterThanOrEqual(1);
      expect(valueOf(samples, 'gavel_db_pool_waiting_requests')).toBe(0);
    }
  });

  it('labels requests by route template: three auction ids are one route, forty unknown URLs one "unmatched"', async () => {
    const before = await scrape(api.baseUrl);
    for (const id of [1, 2, 999_999]) await call(api.baseUrl, 'GET', `/auctions/${id}`);
    for (let i = 0; i < 40; i++) {
      const answer = await call(api.baseUrl, 'GET', `/no-such-${randomBytes(6).toString('hex')}/${i}?q=${i}`);
      expect(answer.status).toBe(404);
    }
    const after = await scrape(api.baseUrl);
    const routes = new Set(samplesOf(after, HTTP).map((sample) => sample.labels.route));
    expect([...routes].some((route) => route.includes('no-such') || /\/auctions\/\d/.test(route))).toBe(false);
    const count = (labels: Record<string, string>) =>
      samplesOf(after, HTTP, labels).reduce((sum, s) => sum + s.value, 0) -
      samplesOf(before, HTTP, labels).reduce((sum, s) => sum + s.value, 0);
    expect(count({ route: '/auctions/:id', method: 'GET' })).toBe(3);
    expect(count({ route: 'unmatched', method: 'GET', status: '404' })).toBe(40);
    // Bounded: the routes the API declares plus "unmatched", whatever URLs arrive.
    expect(routes.size).toBeLessThan(10);
  });

  it('is not rate limited: a burst of 60 scrapes from one address all succeed', async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, () => fetch(`${api.baseUrl}/metrics`)));
    expect(answers.map((a) => a.status)).toEqual(Array(60).fill(200));
    await Promise.all(answers.map((a) => a.text()));
  });

  it('is in the OpenAPI document as text, not as a JSON route', async () => {
    const spec = await call(api.baseUrl, 'GET', '/docs-json');
    const operation = spec.body.paths['/metrics'].get;
    expect(Object.keys(operation.responses['200'].content)).toEqual(['text/plain; version=0.0.4; charset=utf-8']);
    expect(JSON.stringify(operation)).not.toContain('application/json');
  });

  it('follows a registration: the connection gauge (from the database) and the auth.ok push with its management-API latency', async () => {
    const user = await newUser(api.baseUrl);
    const registered = await call(api.baseUrl, 'POST', '/socket-connections', {
      token: user.token,
      headers: { 'x-api-key': TEST_SECRETS.GATEWAY_API_KEY },
      body: { connectionId: 'bWV0cmljcy0xMjM0NQ=' },
    });
    expect(registered.status).toBe(201);
    // The counts are cached for a few seconds between scrapes.
    await waitFor(
      async () => {
        const samples = await scrape(api.baseUrl);
        expect(valueOf(samples, 'gavel_socket_connections')).toBe(1);
        expect(valueOf(samples, 'gavel_users_online')).toBe(1);
        expect(valueOf(samples, 'gavel_pushes_total', { outcome: 'delivered' })).toBeGreaterThanOrEqual(1);
        expect(
          valueOf(samples, 'gavel_management_api_request_duration_seconds_count', {
            operation: 'post',
            result: 'delivered',
          }),
        ).toBeGreaterThanOrEqual(1);
      },
      { timeout: 10_000 },
    );
  });
});

describe.each(databaseKinds())('GET /metrics with METRICS_TOKEN (%s)', (kind) => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi(kind, { METRICS_TOKEN: TOKEN });
  }, 120_000);
  afterAll(async () => {
    await api?.close().catch(() => undefined);
  }, 120_000);

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', 'Bearer metrics-test-token-0123456789abcdeX'],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, -1)}`],
    ['the token under another scheme', `Basic ${TOKEN}`],
    ['the token without a scheme', TOKEN],
  ])('answers 401 to %s, in Nest’s error shape', async (_, authorization) => {
    const answer = await call(api.baseUrl, 'GET', '/metrics', {
      headers: authorization === undefined ? {} : { authorization },
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      statusCode: 401,
      message: 'Missing or invalid metrics token',
      error: 'Unauthorized',
    });
  });

  it('serves the metrics to the right bearer token, and leaves /health open', async () => {
    const samples = await scrape(api.baseUrl, TOKEN);
    expect(valueOf(samples, 'gavel_pushes_total', { outcome: 'delivered' })).toBe(0);
    expect(samplesOf(samples, HTTP, { route: '/metrics', status: '401' }).length).toBeGreaterThan(0);
    expect((await call(api.baseUrl, 'GET', '/health')).status).toBe(200);
  });
});
