import { describe, expect, it } from '@jest/globals';
import { WriteBatcher } from './write-batcher.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Writes numbers to a log; `refuse` makes any batch or single write containing it fail. */
class FakeTable {
  batches: number[][] = [];
  singles: number[] = [];
  /** Every write in call order: a batch as its items, a single write as a one-item list. */
  writes: number[][] = [];
  rows: number[] = [];
  refuse = new Set<number>();
  waitTurns = 0;

  async writeBatch(items: number[]): Promise<string[]> {
    this.batches.push(items);
    this.writes.push(items);
    for (let i = 0; i < this.waitTurns; i++) await tick();
    if (items.some((item) => this.refuse.has(item))) throw new Error('batch refused');
    this.rows.push(...items);
    return items.map((item) => `row ${item}`);
  }

  async writeOne(item: number): Promise<string> {
    this.singles.push(item);
    this.writes.push([item]);
    await tick();
    if (this.refuse.has(item)) throw new Error(`refused ${item}`);
    this.rows.push(item);
    return `row ${item}`;
  }

  batcher(
    options: { maxItems: number; maxWeight?: number; weigh?: (item: number) => number } = { maxItems: 100 },
  ): WriteBatcher<number, string> {
    return new WriteBatcher(
      (items) => this.writeBatch(items),
      (item) => this.writeOne(item),
      options,
    );
  }
}

describe(WriteBatcher.name, () => {
  it('writes what is added in one turn as one batch, each caller getting its own result', async () => {
    const table = new FakeTable();
    const batcher = table.batcher();
    const results = await Promise.all([1, 2, 3, 4].map((n) => batcher.add(n)));
    expect(results).toEqual(['row 1', 'row 2', 'row 3', 'row 4']);
    expect(table.batches).toEqual([[1, 2, 3, 4]]);
    expect(table.singles).toEqual([]);
  });

  it('a lone write goes through writeOne', async () => {
    const table = new FakeTable();
    expect(await table.batcher().add(9)).toBe('row 9');
    expect(table.batches).toEqual([]);
    expect(table.singles).toEqual([9]);
  });

  it('what arrives while a batch is being written becomes the next batch, in order; one batch at a time', async () => {
    const table = new FakeTable();
    table.waitTurns = 3;
    const batcher = table.batcher();
    const first = [batcher.add(1), batcher.add(2)];
    await tick(); // the first batch is now being written
    const second = [batcher.add(3), batcher.add(4), batcher.add(5)];
    await tick();
    expect(table.batches).toEqual([[1, 2]]);
    expect(await Promise.all([...first, ...second])).toEqual(['row 1', 'row 2', 'row 3', 'row 4', 'row 5']);
    expect(table.batches).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    expect(table.rows).toEqual([1, 2, 3, 4, 5]);
  });

  it('splits at maxItems and at maxWeight; an item heavier than maxWeight still goes, alone', async () => {
    const table = new FakeTable();
    const batcher = table.batcher({ maxItems: 3, maxWeight: 10, weigh: (n) => n });
    await Promise.all([1, 1, 1, 1, 4, 4, 4, 50, 2].map((n) => batcher.add(n)));
    expect(table.writes).toEqual([[1, 1, 1], [1, 4, 4], [4], [50], [2]]);
    expect(table.singles).toEqual([4, 50, 2]);
  });

  it('a failing batch is retried one by one: only the bad item fails, the others keep their order', async () => {
    const table = new FakeTable();
    table.refuse.add(3);
    const batcher = table.batcher();
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((n) => batcher.add(n)));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([
      'row 1',
      'row 2',
      'refused 3',
      'row 4',
    ]);
    expect(table.batches).toEqual([[1, 2, 3, 4]]);
    expect(table.singles).toEqual([1, 2, 3, 4]);
    expect(table.rows).toEqual([1, 2, 4]);
    // The batcher carries on afterwards.
    expect(await Promise.all([batcher.add(5), batcher.add(6)])).toEqual(['row 5', 'row 6']);
  });
});
