/** Thrown to a task that was not queued, or was shed from the queue: the caller answers 503 with Retry-After. */
export class LimiterFullError extends Error {
  constructor() {
    super('Too much work queued');
    this.name = 'LimiterFullError';
  }
}

export interface FairLimiterOptions {
  /** Tasks running at once. */
  concurrency: number;
  /** Tasks one key may have waiting. */
  maxWaitingPerKey: number;
  /** Tasks all keys together may have waiting. */
  maxWaiting: number;
}

interface Waiter {
  start(): void;
  shed(): void;
}

/**
 * Runs at most `concurrency` tasks at once and queues the rest per key (a client IP), serving the keys
 * round robin: a key with one task waiting is served after at most one task of each other key, however
 * many a flooding key has queued. When the whole queue is full, the newest task of the longest queue
 * is shed to make room for a key with fewer waiting, so a flood cannot lock out a quiet client either.
 */
export class FairLimiter {
  private running = 0;
  private waiting = 0;
  /** Insertion order is the round-robin order: a key served and still waiting moves to the end. */
  private readonly queues = new Map<string, Waiter[]>();

  constructor(private readonly options: FairLimiterOptions) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          this.running += 1;
          const finish = () => {
            this.running -= 1;
            this.dispatch();
          };
          Promise.resolve()
            .then(task)
            .then(
              (value) => (finish(), resolve(value)),
              (error: unknown) => (finish(), reject(error)),
            );
        },
        shed: () => reject(new LimiterFullError()),
      };
      if (this.running < this.options.concurrency && this.waiting === 0) return waiter.start();
      if (!this.enqueue(key, waiter)) waiter.shed();
    });
  }

  /** Tasks running and waiting, for tests and metrics. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting };
  }

  private enqueue(key: string, waiter: Waiter): boolean {
    const queue = this.queues.get(key) ?? [];
    if (queue.length >= this.options.maxWaitingPerKey) return false;
    if (this.waiting >= this.options.maxWaiting && !this.shedFromLongestQueue(queue.length)) return false;
    queue.push(waiter);
    this.waiting += 1;
    if (queue.length === 1) this.queues.set(key, queue);
    this.dispatch();
    return true;
  }

  /** Sheds the newest waiter of the longest queue when it is longer than `ownLength` + 1. */
  private shedFromLongestQueue(ownLength: number): boolean {
    let longestKey: string | undefined;
    let longest = 0;
    for (const [key, queue] of this.queues) {
      if (queue.length > longest) [longestKey, longest] = [key, queue.length];
    }
    if (longestKey === undefined || longest <= ownLength + 1) return false;
    const queue = this.queues.get(longestKey)!;
    queue.pop()!.shed();
    this.waiting -= 1;
    return true;
  }

  private dispatch(): void {
    while (this.running < this.options.concurrency && this.waiting > 0) {
      const [key, queue] = this.queues.entries().next().value as [string, Waiter[]];
      this.queues.delete(key);
      const waiter = queue.shift()!;
      this.waiting -= 1;
      if (queue.length > 0) this.queues.set(key, queue);
      waiter.start();
    }
  }
}
