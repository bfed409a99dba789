/**
 * A seeded pseudo-random generator (mulberry32), so a workload — which auctions each connection
 * watches, which auction each bid goes to — is the same for Gavel and Socket.IO and from run to run.
 * Eight lines written out rather than a dependency: nothing installed offers a seedable generator, and
 * the quality needed here is only "spread evenly".
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An integer in [min, max]. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** `count` distinct items of `items` (count ≤ items.length), in random order. */
export function pickDistinct<T>(random: () => number, items: readonly T[], count: number): T[] {
  const picked = new Set<number>();
  while (picked.size < Math.min(count, items.length)) picked.add(Math.floor(random() * items.length));
  return [...picked].map((index) => items[index]!);
}
