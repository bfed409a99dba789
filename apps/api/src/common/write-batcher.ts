export interface WriteBatcherOptions<I> {
  /** Rows per batch at most. */
  maxItems: number;
  /** Sum of `weigh(item)` per batch at most (a single heavier item still goes, alone). */
  maxWeight?: number;
  weigh?: (item: I) => number;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces concurrent writes into one statement. What is added during one event-loop turn, or while
 * the previous batch is being written, goes out as the next batch — so under load batches grow by
 * themselves, and a lone write waits for nothing but the end of the current turn. One batch is written
 * at a time; items keep the order they were added in.
 *
 * `writeBatch` answers one result per item, in order. When it fails, every item of that batch is
 * retried with `writeOne`, one after another, so one bad row (a missing foreign key) fails only its own
 * caller. A batch of one goes straight to `writeOne`.
 */
export class WriteBatcher<I, O> {
  private pending: Pending<I, O>[] = [];
  private scheduled = false;
  private writing = false;

  constructor(
    private readonly writeBatch: (items: I[]) => Promise<O[]>,
    private readonly writeOne: (item: I) => Promise<O>,
    private readonly options: WriteBatcherOptions<I>,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.writing && !this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: requests read in the same poll phase all join this batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    this.scheduled = false;
    this.writing = true;
    try {
      while (this.pending.length > 0) await this.write(this.takeBatch());
    } finally {
      this.writing = false;
    }
  }

  private takeBatch(): Pending<I, O>[] {
    const { maxItems, maxWeight = Infinity, weigh = () => 0 } = this.options;
    let count = 0;
    let weight = 0;
    while (count < this.pending.length && count < maxItems) {
      const next = weigh(this.pending[count]!.item);
      if (count > 0 && weight + next > maxWeight) break;
      weight += next;
      count++;
    }
    return this.pending.splice(0, count);
  }

  private async write(batch: Pending<I, O>[]): Promise<void> {
    if (batch.length > 1) {
      try {
        const results = await this.writeBatch(batch.map((p) => p.item));
        if (results.length !== batch.length)
          throw new Error(`batch write answered ${results.length} results for ${batch.length} items`);
        batch.forEach((p, i) => p.resolve(results[i]!));
        return;
      } catch {
        // Fall through: find the item(s) that failed, one at a time.
      }
    }
    for (const p of batch) {
      try {
        p.resolve(await this.writeOne(p.item));
      } catch (error) {
        p.reject(error);
      }
    }
  }
}
