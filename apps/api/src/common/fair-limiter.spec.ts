import { describe, expect, it } from '@jest/globals';
import { FairLimiter, LimiterFullError } from './fair-limiter.js';

/** A task the test finishes by hand; `order` records when each one started. */
function gate(order: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { task: async () => (order.push(name), await done, name), release };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe(FairLimiter.name, () => {
  it('runs at most `concurrency` tasks and serves keys round robin, whatever one key has queued', async () => {
    const limiter = new FairLimiter({ concurrency: 1, maxWaitingPerKey: 100, maxWaiting: 100 });
    const order: string[] = [];
    const gates = [...Array(6)].map((_, i) => gate(order, `flood${i}`));
    const flood = gates.map((g) => limiter.run('attacker', g.task));
    const quiet = gate(order, 'quiet');
    const quietDone = limiter.run('user', quiet.task);
    await tick();
    expect(order).toEqual(['flood0']);
    expect(limiter.load).toEqual({ running: 1, waiting: 6 });
    gates[0]!.release();
    await tick();
    gates[1]!.release();
    await tick();
    // The attacker's turn, then the quiet client's: ahead of the four flood tasks queued before it.
    expect(order).toEqual(['flood0', 'flood1', 'quiet']);
    quiet.release();
    expect(await quietDone).toBe('quiet');
    for (const g of gates) g.release();
    expect(await Promise.all(flood)).toEqual(gates.map((_, i) => `flood${i}`));
  });

  it('refuses past the per-key bound, and when full sheds the longest queue’s newest task for a quieter key', async () => {
    const limiter = new FairLimiter({ concurrency: 1, maxWaitingPerKey: 3, maxWaiting: 4 });
    const order: string[] = [];
    const running = gate(order, 'running');
    const first = limiter.run('a', running.task);
    await tick();
    const outcomes = [...Array(5)].map((_, i) =>
      limiter.run('a', gate(order, `a${i}`).task).then(
        () => 'ran',
        (e: unknown) => e,
      ),
    );
    await tick();
    // Three wait, the fourth and fifth are over a's bound.
    expect(await outcomes[3]).toBeInstanceOf(LimiterFullError);
    expect(await outcomes[4]).toBeInstanceOf(LimiterFullError);
    const b = gate(order, 'b0');
    limiter.run('b', b.task).catch(() => undefined);
    expect(limiter.load.waiting).toBe(4);
    // Full: c (nothing queued) gets a place that a's newest task loses.
    limiter.run('c', gate(order, 'c0').task).catch(() => undefined);
    expect(await outcomes[2]).toBeInstanceOf(LimiterFullError);
    expect(limiter.load.waiting).toBe(4);
    running.release();
    await first;
  });

  it('passes a task’s failure to its caller and keeps serving', async () => {
    const limiter = new FairLimiter({ concurrency: 1, maxWaitingPerKey: 1, maxWaiting: 1 });
    await expect(limiter.run('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run('a', async () => 42)).toBe(42);
    expect(limiter.load).toEqual({ running: 0, waiting: 0 });
  });
});
