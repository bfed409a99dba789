import { describe, expect, it } from '@jest/globals';
import { decodeCursor, encodeCursor } from './connection-cursor.js';
import { InvalidCursorError } from './socket-connection.errors.js';

describe('connection cursor', () => {
  it('round-trips an id and starts at 0 without a cursor', () => {
    expect(decodeCursor(encodeCursor(1234))).toBe(1234);
    expect(decodeCursor(undefined)).toBe(0);
    expect(decodeCursor('')).toBe(0);
  });

  it.each(['42', 'bm9wZQ', Buffer.from('c1:-1').toString('base64url'), Buffer.from('c1:1e5').toString('base64url')])(
    'rejects %j',
    (cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(InvalidCursorError);
    },
  );
});
