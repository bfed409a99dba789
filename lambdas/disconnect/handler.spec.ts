import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { disconnectEvent } from '../shared/test-events.js';

vi.hoisted(() => {
  process.env.API_BASE_URL = 'http://api.test:3000';
  process.env.GATEWAY_API_KEY = 'gateway-key';
});
const { handler } = await import('./handler.js');

const fetchMock = vi.fn<typeof fetch>();

beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());

describe('disconnect handler', () => {
  it('deletes the connection with its id URL-encoded and the API key', async () => {
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    expect(await handler(disconnectEvent('R1kmxc2VNj+/FIA='))).toEqual({ statusCode: 200 });
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('http://api.test:3000/socket-connections/R1kmxc2VNj%2B%2FFIA%3D');
    expect(init?.method).toBe('DELETE');
    expect(init?.headers).toMatchObject({ 'x-api-key': 'gateway-key' });
  });

  it('never throws: an API error or an unreachable API is logged and answered 200', async () => {
    fetchMock.mockResolvedValueOnce(new Response('{"message":"boom"}', { status: 500 }));
    expect(await handler(disconnectEvent('abc='))).toEqual({ statusCode: 200 });
    fetchMock.mockRejectedValueOnce(new TypeError('fetch failed'));
    expect(await handler(disconnectEvent('abc='))).toEqual({ statusCode: 200 });
    expect(console.error).toHaveBeenCalledTimes(2);
  });
});
