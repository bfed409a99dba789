import { describe, expect, it } from '@jest/globals';
import { messageEvent } from '../shared/test-events.js';
import { handler } from './handler.js';

const frame = async (body: string | undefined, isBase64Encoded = false) =>
  JSON.parse((await handler(messageEvent(body, { isBase64Encoded }))).body!) as {
    type: string;
    data?: { message: string };
  };

describe('default handler', () => {
  it('answers ping with pong', async () => {
    expect(await frame('{"action":"ping"}')).toEqual({ type: 'pong' });
  });

  it.each([
    ['an unknown action', '{"action":"dance"}', /Unknown action "dance"/],
    ['no action', '{"hello":1}', /Missing "action"/],
    ['not JSON', 'hello', /JSON objects/],
    ['a JSON array', '[1,2]', /JSON objects/],
    ['JSON null', 'null', /JSON objects/],
    ['an empty body', undefined, /JSON objects/],
  ])('explains %s with an error frame', async (_case, body, message) => {
    const answer = await frame(body);
    expect(answer.type).toBe('error');
    expect(answer.data?.message).toMatch(message);
  });

  it('refuses binary messages', async () => {
    const answer = await frame(Buffer.from('{"action":"ping"}').toString('base64'), true);
    expect(answer).toEqual({ type: 'error', data: { message: expect.stringMatching(/Binary/) } });
  });
});
