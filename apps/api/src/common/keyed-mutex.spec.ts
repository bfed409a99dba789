import { describe, expect, it } from '@jest/globals';
import { KeyedMutex } from './keyed-mutex.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe(KeyedMutex.name, () => {
  it('runs tasks of one key one after another, in call order, and different keys side by side', async () => {
    const mutex = new KeyedMutex<string>();
    const log: string[] = [];
    const task = (name: string, waits: number) => async () => {
      log.push(`${name} start`);
      for (let i = 0; i < waits; i++) await tick();
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([
      mutex.run('a', task('a1', 3)),
      mutex.run('a', task('a2', 0)),
      mutex.run('b', task('b1', 1)),
    ]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(log.indexOf('a2 start')).toBeGreaterThan(log.indexOf('a1 end'));
    expect(log.indexOf('b1 start')).toBeLessThan(log.indexOf('a1 end'));
  });

  it('a failing task rejects its caller only, the next one still runs, and idle keys are forgotten', async () => {
    const mutex = new KeyedMutex<number>();
    const failed = mutex.run(1, async () => {
      throw new Error('boom');
    });
    const next = mutex.run(1, async () => 'ok');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
    await tick();
    expect(mutex.size).toBe(0);
  });
});
