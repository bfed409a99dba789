import { describe, expect, it } from '@jest/globals';
import { compareIds, randomKey, sameId } from './ids.js';

describe('compareIds', () => {
  it('orders numeric ids as numbers, whether they arrive as numbers or strings', () => {
    expect(compareIds(9, '10')).toBeLessThan(0);
    expect(compareIds('10', 9)).toBeGreaterThan(0);
    expect(compareIds('12', 12)).toBe(0);
  });

  it('orders ids beyond 2^53 exactly', () => {
    expect(compareIds('9007199254740993', '9007199254740992')).toBeGreaterThan(0);
  });

  it('falls back to text order for non-numeric ids', () => {
    expect(compareIds('b', 'a')).toBeGreaterThan(0);
  });
});

describe('sameId', () => {
  it('treats 7 and "7" as the same id and null as no id', () => {
    expect(sameId(7, '7')).toBe(true);
    expect(sameId(7, 8)).toBe(false);
    expect(sameId(null, null)).toBe(false);
  });
});

describe('randomKey', () => {
  it('returns distinct 32-hex-digit keys', () => {
    const a = randomKey();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(randomKey()).not.toBe(a);
  });
});
