import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startFakeApiServer } from '../shared/fake-api-server.js';
import { messageEvent } from '../shared/test-events.js';

// Environment before the import: the handler reads it at cold start.
const api = await startFakeApiServer();
process.env.API_BASE_URL = api.baseUrl;
process.env.GATEWAY_API_KEY = 'gateway-key';
const { handler } = await import('./handler.js');

const event = (body: string) => messageEvent(body, { routeKey: 'unsubscribe', connectionId: 'Abc=' });

beforeEach(() => {
  api.requests.length = 0;
  api.answers.length = 0;
});
afterAll(() => api.close(), 120_000);

describe('unsubscribe handler', () => {
  it("deletes the subscription through the API and answers the API's unsubscribed frame", async () => {
    api.answers.push({ status: 200, body: { type: 'unsubscribed', data: { auctionId: 9 } } });
    const result = await handler(event('{"action":"unsubscribe","auctionId":"9"}'));
    expect(JSON.parse(result.body!)).toEqual({ type: 'unsubscribed', data: { auctionId: 9 } });
    expect(api.requests).toEqual([
      expect.objectContaining({ method: 'DELETE', url: '/socket-connections/Abc%3D/subscriptions/9' }),
    ]);
    expect(api.requests[0]!.headers['x-api-key']).toBe('gateway-key');
  });

  it('re-reads its settings once when the API refuses the key, then relays the refusal', async () => {
    api.answers.push(
      { status: 403, body: { statusCode: 403, message: 'Invalid API key', error: 'Forbidden' } },
      { status: 403, body: { statusCode: 403, message: 'Invalid API key', error: 'Forbidden' } },
    );
    const result = await handler(event('{"action":"unsubscribe","auctionId":9}'));
    expect(JSON.parse(result.body!)).toEqual({ type: 'error', data: { status: 403, message: 'Invalid API key' } });
    expect(api.requests).toHaveLength(2);
  });

  it('answers 400 to a malformed auction id without calling the API', async () => {
    const result = await handler(event('{"action":"unsubscribe","auctionId":-3}'));
    expect(JSON.parse(result.body!)).toEqual({
      type: 'error',
      data: { status: 400, message: expect.stringContaining('auctionId must be a positive integer id') },
    });
    expect(api.requests).toEqual([]);
  });
});
