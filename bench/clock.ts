/**
 * Epoch milliseconds with sub-millisecond resolution, comparable across processes on one machine.
 * Every bench process (harness, load clients, Socket.IO server) stamps times with this, so a time
 * taken in one process can be subtracted from a time taken in another.
 */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
