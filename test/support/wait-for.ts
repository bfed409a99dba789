import { setTimeout as sleep } from 'node:timers/promises';
/**
 * Retries `assertion` until it stops throwing, then returns its value; after `timeout` ms it throws the last
 * failure. Jest has neither vitest's `vi.waitFor` nor `expect.poll`; same defaults (1 s, every 50 ms):
 *   await waitFor(() => expect(seen).toBeDefined());
 *   await waitFor(async () => expect(await rows()).toBe(0), { timeout: 10_000 });
 */
export async function waitFor<T>(
  assertion: () => T | Promise<T>,
  options: { timeout?: number; interval?: number } = {},
): Promise<T> {
  const { timeout = 1_000, interval = 50 } = options;
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await sleep(interval);
  }
}
