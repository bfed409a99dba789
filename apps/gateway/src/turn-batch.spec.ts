import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { TurnBatch } from './turn-batch.js';

describe(TurnBatch.name, () => {
  it('hands over everything added in a turn once, at the end of the turn, in order', async () => {
    const flushed: number[][] = [];
    const batch = new TurnBatch<number>((items) => flushed.push(items));
    batch.add(1);
    batch.add(2);
    await Promise.resolve();
    batch.add(3); // microtasks belong to the same turn
    expect(flushed).toEqual([]);
    await nextTurn();
    expect(flushed).toEqual([[1, 2, 3]]);
    batch.add(4);
    await nextTurn();
    expect(flushed).toEqual([[1, 2, 3], [4]]);
  });

  it('flushes batches in the order their first item of the turn arrived', async () => {
    const order: string[] = [];
    const answers = new TurnBatch<string>((items) => order.push(...items));
    const frames = new TurnBatch<string>((items) => order.push(...items));
    answers.add('answer 1');
    frames.add('frame 1');
    answers.add('answer 2');
    frames.add('frame 2');
    await nextTurn();
    expect(order).toEqual(['answer 1', 'answer 2', 'frame 1', 'frame 2']);
  });
});
