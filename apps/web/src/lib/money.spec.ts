import { describe, expect, it } from '@jest/globals';
import { centsToInput, formatCents, parseDollars } from './money.js';

describe('parseDollars', () => {
  it.each([
    ['12', 1200],
    ['12.5', 1250],
    ['12.05', 1205],
    [' $1,200.00 ', 120000],
    ['0.01', 1],
  ])('reads %j as %d cents', (input, cents) => {
    expect(parseDollars(input)).toEqual({ cents });
  });

  it.each(['', 'abc', '1.234', '-5', '1e3', '0', '0.00', '99999999999999999'])('refuses %j with a message', (input) => {
    const result = parseDollars(input);
    expect(result).toHaveProperty('error');
    expect((result as { error: string }).error.length).toBeGreaterThan(5);
  });
});

describe('formatCents', () => {
  it('shows dollars with cents and grouping', () => {
    expect(formatCents(123456)).toBe('$1,234.56');
    expect(formatCents(5)).toBe('$0.05');
    expect(centsToInput(51000)).toBe('510.00');
  });
});
