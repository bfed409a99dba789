import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import * as httpTransport from '../shared/http-transport.js';
import { type HttpAnswer, type HttpTransport, HttpTransportError } from '../shared/http-transport.js';
import { messageEvent } from '../shared/test-events.js';

// The handler reads its environment at cold start (module scope), so it must be set before it is imported.
process.env.API_BASE_URL = 'http://api.test:3000/';
process.env.GATEWAY_API_KEY = 'gateway-key';
// The handler's HTTP goes through the transport; the specs stand in for it (the transport has its own spec).
const transportMock = jest.fn<HttpTransport>();
const transportBaseUrls: string[] = [];
jest.unstable_mockModule('../shared/http-transport.js', () => ({
  ...httpTransport,
  createHttpTransport: (baseUrl: string) => {
    transportBaseUrls.push(baseUrl);
    return transportMock;
  },
}));
const { handler } = await import('./handler.js');

const json = (status: number, body: unknown): HttpAnswer => ({ status, text: JSON.stringify(body) });

beforeEach(() => {
  transportMock.mockReset();
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => {
  jest.restoreAllMocks();
});

describe('auth handler', () => {
  it('registers the connection with the JWT and sends no frame itself (the API pushes auth.ok)', async () => {
    transportMock.mockResolvedValueOnce(
      json(201, { connectionId: 'R1kmxc2VNj+/FIA=', userId: 7, createdAt: '2024-01-20T11:55:00.000Z' }),
    );
    const result = await handler(messageEvent(JSON.stringify({ action: 'auth', token: 'jwt-1', since: '41' })));
    expect(result).toEqual({ statusCode: 200 });

    expect(transportBaseUrls).toEqual(['http://api.test:3000/']);
    const [call] = transportMock.mock.calls[0]!;
    expect(call.path).toBe('/socket-connections');
    expect(call.method).toBe('POST');
    expect(call.headers).toMatchObject({
      'x-api-key': 'gateway-key',
      authorization: 'Bearer jwt-1',
      'content-type': 'application/json',
    });
    expect(call.timeoutMs).toBe(5_000);
    expect(JSON.parse(String(call.body))).toEqual({
      connectionId: 'R1kmxc2VNj+/FIA=',
      sourceIp: '203.0.113.7',
      userAgent: 'Mozilla/5.0 (test)',
      since: '41',
    });
  });

  it('treats 200 (connection already held by this user) as success and omits an absent since', async () => {
    transportMock.mockResolvedValueOnce(json(200, {}));
    expect(await handler(messageEvent('{"action":"auth","token":"jwt"}'))).toEqual({ statusCode: 200 });
    expect(JSON.parse(String(transportMock.mock.calls[0]![0].body))).not.toHaveProperty('since');
  });

  it("relays the API's status and message as auth.error", async () => {
    transportMock.mockResolvedValueOnce(
      json(401, { statusCode: 401, message: 'Invalid or expired token', error: 'Unauthorized' }),
    );
    const result = await handler(messageEvent('{"action":"auth","token":"expired"}'));
    expect(JSON.parse(result.body!)).toEqual({
      type: 'auth.error',
      data: { status: 401, message: 'Invalid or expired token' },
    });
  });

  it('joins validation messages and re-reads its settings once on 403', async () => {
    transportMock.mockImplementation(async () =>
      json(403, { statusCode: 403, message: ['bad key', 'really'], error: 'Forbidden' }),
    );
    const result = await handler(messageEvent('{"action":"auth","token":"jwt"}'));
    expect(JSON.parse(result.body!)).toEqual({ type: 'auth.error', data: { status: 403, message: 'bad key; really' } });
    expect(transportMock).toHaveBeenCalledTimes(2);
  });

  it('answers 503 when the API is unreachable or times out', async () => {
    transportMock.mockRejectedValueOnce(
      new HttpTransportError('request', false, 'connect ECONNREFUSED 127.0.0.1:3000'),
    );
    const refused = await handler(messageEvent('{"action":"auth","token":"jwt"}'));
    expect(JSON.parse(refused.body!)).toEqual({
      type: 'auth.error',
      data: { status: 503, message: expect.any(String) },
    });

    transportMock.mockRejectedValueOnce(new HttpTransportError('request', true, 'timed out'));
    const timedOut = await handler(messageEvent('{"action":"auth","token":"jwt"}'));
    expect(JSON.parse(timedOut.body!).data.status).toBe(503);
  });

  it.each(['\u0000', 'a\r\nSet-Cookie: x=1', 'Ünïcødé 💥', '\ud800', 'two words'])(
    'answers 401 to a token no header can carry (%j) without calling the API',
    async (token) => {
      const result = await handler(messageEvent(JSON.stringify({ action: 'auth', token })));
      expect(JSON.parse(result.body!)).toEqual({ type: 'auth.error', data: { status: 401, message: 'Invalid token' } });
      expect(transportMock).not.toHaveBeenCalled();
    },
  );

  it.each([
    ['not JSON', 'auth please'],
    ['no token', '{"action":"auth"}'],
    ['empty token', '{"action":"auth","token":""}'],
    ['bad since', '{"action":"auth","token":"jwt","since":"-1"}'],
  ])('answers 400 to a malformed message (%s) without calling the API', async (_case, body) => {
    const result = await handler(messageEvent(body));
    const frame = JSON.parse(result.body!);
    expect(frame.type).toBe('auth.error');
    expect(frame.data.status).toBe(400);
    expect(frame.data.message).toMatch(/^Invalid auth message: /);
    expect(transportMock).not.toHaveBeenCalled();
  });
});
