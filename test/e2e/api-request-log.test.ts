import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { waitFor } from '../support/wait-for.js';
import { databaseKinds } from '../support/databases.js';
import { call, startApi, type ApiHarness } from './api-harness.js';

/** The lines the request logger writes (its Logger's context is 'HTTP'). */
function requestLines(spy: { mock: { calls: unknown[][]; contexts: unknown[] } }): unknown[] {
  const { calls, contexts } = spy.mock;
  return calls
    .filter((_args, i) => (contexts[i] as { context?: string } | undefined)?.context === 'HTTP')
    .map((args) => args[0]);
}

describe.each(databaseKinds())('request log (%s)', (kind) => {
  let api: ApiHarness | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
    jest.restoreAllMocks();
  }, 120_000);

  it('writes the same as one readable line with LOG_FORMAT=text (what npm start shows)', async () => {
    const spy = jest.spyOn(Logger.prototype, 'log');
    api = await startApi(kind, { LOG_LEVEL: 'log', LOG_FORMAT: 'text' });
    await call(api.baseUrl, 'GET', '/health?probe=1', { headers: { authorization: 'Bearer secret-token' } });
    await waitFor(() => expect(requestLines(spy)).toHaveLength(1));
    expect(requestLines(spy)[0]).toMatch(/^GET \/health 200 \d+(\.\d)? ms 127\.0\.0\.1$/);
  }, 120_000);

  it('writes one line per request at LOG_LEVEL=log: method, path without query, status, duration — no headers', async () => {
    const spy = jest.spyOn(Logger.prototype, 'log');
    api = await startApi(kind, { LOG_LEVEL: 'log' });
    await call(api.baseUrl, 'GET', '/health?probe=1', { headers: { authorization: 'Bearer secret-token' } });
    await waitFor(() => expect(requestLines(spy)).toHaveLength(1));
    const lines = requestLines(spy);
    expect(lines[0]).toMatchObject({ method: 'GET', path: '/health', status: 200 });
    expect(JSON.stringify(lines[0])).not.toContain('secret-token');
  });

  it('writes none, and times none, below LOG_LEVEL=log', async () => {
    const spy = jest.spyOn(Logger.prototype, 'log');
    api = await startApi(kind, { LOG_LEVEL: 'warn' });
    await call(api.baseUrl, 'GET', '/health');
    expect(requestLines(spy)).toEqual([]);
  });
});
