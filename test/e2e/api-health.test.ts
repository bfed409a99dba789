/** GET /health follows the database: 200 while it answers, 503 once it does not. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { databaseKinds } from '../support/databases.js';
import { type ApiHarness, call, newUser, startApi } from './api-harness.js';

describe.each(databaseKinds())('health (%s)', (kind) => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi(kind);
  }, 120_000);
  afterAll(async () => {
    await api?.close().catch(() => undefined);
  }, 120_000);

  it('answers 200, then 503 when the database connection is gone', async () => {
    expect((await call(api.baseUrl, 'GET', '/health')).status).toBe(200);
    const user = await newUser(api.baseUrl);
    await api.app.get(DataSource).destroy();
    // A valid token whose user cannot be looked up is a retryable 503, never a 401.
    const me = await call(api.baseUrl, 'GET', '/auth/me', { token: user.token });
    expect(me.status).toBe(503);
    expect(me.body).toEqual({
      statusCode: 503,
      message: 'Database unavailable, try again',
      error: 'Service Unavailable',
    });
    const down = await call(api.baseUrl, 'GET', '/health');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      statusCode: 503,
      message: 'Database is not answering',
      error: 'Service Unavailable',
      details: { database: { status: 'down' } },
    });
  });
});
