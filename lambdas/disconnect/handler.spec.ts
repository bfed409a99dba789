import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import * as httpTransport from '../shared/http-transport.js';
import { type HttpTransport, HttpTransportError } from '../shared/http-transport.js';
import { disconnectEvent } from '../shared/test-events.js';

// The handler reads its environment at cold start (module scope), so it must be set before it is imported.
process.env.API_BASE_URL = 'http://api.test:3000';
process.env.GATEWAY_API_KEY = 'gateway-key';
const transportMock = jest.fn<HttpTransport>();
jest.unstable_mockModule('../shared/http-transport.js', () => ({
  ...httpTransport,
  createHttpTransport: () => transportMock,
}));
const { handler } = await import('./handler.js');

beforeEach(() => {
  transportMock.mockReset();
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => {
  jest.restoreAllMocks();
});

describe('disconnect handler', () => {
  it('deletes the connection with its id URL-encoded and the API key', async () => {
    transportMock.mockResolvedValueOnce({ status: 204, text: '' });
    expect(await handler(disconnectEvent('R1kmxc2VNj+/FIA='))).toEqual({ statusCode: 200 });
    const [call] = transportMock.mock.calls[0]!;
    expect(call.path).toBe('/socket-connections/R1kmxc2VNj%2B%2FFIA%3D');
    expect(call.method).toBe('DELETE');
    expect(call.headers).toMatchObject({ 'x-api-key': 'gateway-key' });
    expect(call.body).toBeUndefined();
  });

  it('never throws: an API error or an unreachable API is logged and answered 200', async () => {
    transportMock.mockResolvedValueOnce({ status: 500, text: '{"message":"boom"}' });
    expect(await handler(disconnectEvent('abc='))).toEqual({ statusCode: 200 });
    transportMock.mockRejectedValueOnce(new HttpTransportError('request', false, 'socket hang up'));
    expect(await handler(disconnectEvent('abc='))).toEqual({ statusCode: 200 });
    expect(console.error).toHaveBeenCalledTimes(2);
  });
});
