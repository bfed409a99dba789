/**
 * An in-process async mutex per key (an auction id, a user id). Tasks for one key run one after another
 * in call order; different keys run concurrently. Keys are forgotten once idle, so the map stays small.
 */
export class KeyedMutex<K = string | number> {
  private readonly tails = new Map<K, Promise<unknown>>();

  run<T>(key: K, task: () => Promise<T> | T): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(() => task());
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or queued (for tests and diagnostics). */
  get size(): number {
    return this.tails.size;
  }
}
