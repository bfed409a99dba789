import { describe, expect, it } from '@jest/globals';
import { ConnectionRateLimiter } from './connection-rate-limiter.js';

describe(ConnectionRateLimiter.name, () => {
  it('lets a burst up to the quota pass, refuses the excess, and refills over time', () => {
    let clock = 0;
    const limiter = new ConnectionRateLimiter(4, () => clock);
    expect([1, 2, 3, 4, 5].map(() => limiter.tryAcquire())).toEqual([true, true, true, true, false]);
    clock = 250; // a quarter second refills one token
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
    clock = 10_000; // never more than the quota in reserve
    expect([1, 2, 3, 4, 5].map(() => limiter.tryAcquire())).toEqual([true, true, true, true, false]);
  });
});
