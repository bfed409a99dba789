/**
 * Collects items during one event-loop turn and hands them to `flush` together at the end of it
 * (`setImmediate`: after every I/O callback of the turn). When several batches have items, they
 * flush in the order their first item of the turn arrived.
 *
 * Why the gateway batches its writes: in a fan-out it handles many `POST /@connections/{id}` per turn,
 * and on loopback the receiving process does part of its work inside the sender's system call, so
 * a write interleaved with parsing, verifying and answering the next request costs far more than
 * the same write in a burst. Interleaved A/B runs of `npm run bench:push -- --n 5000`:
 * client frames in a burst: gateway 73–98 → 51–70 µs CPU per push, last delivery p50 435–603 →
 * 282–389 ms; the 200 answers in a burst too: gateway 71–92 → 56–75 µs, API 57–75 → 50–68 µs.
 * Nothing waits for a timer: what a turn produced goes out before the next turn reads anything.
 */
export class TurnBatch<T> {
  private items: T[] = [];
  private scheduled = false;

  constructor(private readonly flush: (items: T[]) => void) {}

  add(item: T): void {
    this.items.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  private readonly run = (): void => {
    const items = this.items;
    this.items = [];
    this.scheduled = false;
    this.flush(items);
  };
}
