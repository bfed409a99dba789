import { afterAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { startFakeApiServer } from '../shared/fake-api-server.js';
import { messageEvent } from '../shared/test-events.js';

// The handler reads its environment at cold start (module scope), so it is set before the import;
// its HTTP goes to a real local server standing in for the API.
const api = await startFakeApiServer();
process.env.API_BASE_URL = api.baseUrl;
process.env.GATEWAY_API_KEY = 'gateway-key';
const { handler } = await import('./handler.js');

const event = (body: string) => messageEvent(body, { routeKey: 'subscribe', connectionId: 'R1kmxc2VNj+/FIA=' });

beforeEach(() => {
  api.requests.length = 0;
  api.answers.length = 0;
});
afterAll(() => api.close(), 120_000);

describe('subscribe handler', () => {
  it('subscribes through the API with the gateway key and sends no frame itself (the API pushes subscribed)', async () => {
    api.answers.push({
      status: 200,
      body: { type: 'subscribed', data: { auctionId: 42, seq: 3, auction: { id: 42 } } },
    });
    expect(await handler(event('{"action":"subscribe","auctionId":42}'))).toEqual({ statusCode: 200 });
    expect(api.requests).toEqual([
      expect.objectContaining({
        method: 'PUT',
        url: '/socket-connections/R1kmxc2VNj%2B%2FFIA%3D/subscriptions/42',
        body: '',
      }),
    ]);
    expect(api.requests[0]!.headers['x-api-key']).toBe('gateway-key');
  });

  it('accepts the auction id as a string, as clients echo ids', async () => {
    api.answers.push({ status: 200, body: {} });
    expect(await handler(event('{"action":"subscribe","auctionId":"7"}'))).toEqual({ statusCode: 200 });
    expect(api.requests[0]!.url).toBe('/socket-connections/R1kmxc2VNj%2B%2FFIA%3D/subscriptions/7');
  });

  it.each([
    [401, 'Authenticate first: send {"action":"auth","token":"<JWT>"}'],
    [404, 'Auction 42 not found'],
    [429, 'A connection watches at most 50 auctions; unsubscribe from one first'],
  ])("relays the API's %i and message as an error frame", async (status, message) => {
    api.answers.push({ status, body: { statusCode: status, message, error: 'x' } });
    const result = await handler(event('{"action":"subscribe","auctionId":42}'));
    expect(JSON.parse(result.body!)).toEqual({ type: 'error', data: { status, message } });
  });

  it.each([
    ['not JSON', 'subscribe me'],
    ['no auction id', '{"action":"subscribe"}'],
    ['zero', '{"action":"subscribe","auctionId":0}'],
    ['a fraction', '{"action":"subscribe","auctionId":1.5}'],
    ['a path', '{"action":"subscribe","auctionId":"1/../../x"}'],
    ['an object', '{"action":"subscribe","auctionId":{"id":1}}'],
  ])('answers 400 to a malformed message (%s) without calling the API', async (_case, body) => {
    const frame = JSON.parse((await handler(event(body))).body!);
    expect(frame).toEqual({
      type: 'error',
      data: { status: 400, message: expect.stringMatching(/^Invalid subscribe message: /) },
    });
    expect(api.requests).toEqual([]);
  });

  it('answers 503 when the API is unreachable', async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const down = await startFakeApiServer();
    const url = down.baseUrl;
    await down.close();
    process.env.API_BASE_URL = url;
    jest.resetModules();
    const { handler: coldHandler } = await import('./handler.js');
    const frame = JSON.parse((await coldHandler(event('{"action":"subscribe","auctionId":1}'))).body!);
    expect(frame).toEqual({ type: 'error', data: { status: 503, message: 'Service unavailable, try again' } });
    process.env.API_BASE_URL = api.baseUrl;
    jest.restoreAllMocks();
  });
});
