/** GET /health follows the database: 200 while it answers, 503 once it does not. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { databaseKinds } from '../support/databases.js';
import { type ApiHarness, call, startApi } from './api-harness.js';

describe.each(databaseKinds())('health (%s)', (kind) => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi(kind);
  });
  afterAll(async () => {
    await api?.close().catch(() => undefined);
  });

  it('answers 200, then 503 when the database connection is gone', async () => {
    expect((await call(api.baseUrl, 'GET', '/health')).status).toBe(200);
    await api.app.get(DataSource).destroy();
    const down = await call(api.baseUrl, 'GET', '/health');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ statusCode: 503, message: 'Database is not answering', error: 'Service Unavailable', details: { database: { status: 'down' } } });
  });
});
