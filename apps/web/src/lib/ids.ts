import type { Id } from '@gavel/contracts';

/** Ids arrive as numbers or strings (contract §5); two ids are the same id whatever their JSON form. */
export function sameId(a: Id | null | undefined, b: Id | null | undefined): boolean {
  return a !== null && a !== undefined && b !== null && b !== undefined && String(a) === String(b);
}

/** Orders ids numerically when both are integers (ids outgrow 2^53 as strings), otherwise as text. */
export function compareIds(a: Id, b: Id): number {
  const sa = String(a);
  const sb = String(b);
  if (/^\d+$/.test(sa) && /^\d+$/.test(sb)) {
    const x = BigInt(sa);
    const y = BigInt(sb);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** A random key for `Idempotency-Key`; crypto.randomUUID exists only in secure contexts, getRandomValues everywhere. */
export function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
