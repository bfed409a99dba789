/**
 * New-connection quota (AWS: 500/s per account and region) as a token bucket: `perSecond` tokens,
 * refilled continuously, so a burst up to the quota passes and a sustained excess gets 429.
 */
export class ConnectionRateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = perSecond;
    this.last = now();
  }

  tryAcquire(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
