/**
 * One event to every open connection: the time from sending the request that causes it (a bid over
 * HTTP) until the LAST connection has received it, per repetition; and a back-to-back burst for the
 * sustained delivery rate. The same code measures Gavel and the Socket.IO baseline.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AwaitBidsResult, SystemUnderTest } from '../client/protocol.js';
import { epochNow } from '../clock.js';
import type { BenchContext } from '../context.js';
import { ratePerSecond } from '../stats.js';

export interface FanOutTarget {
  system: SystemUnderTest;
  /** Sends one bid of this amount; resolves when the HTTP request has been answered. */
  send(amountCents: number): Promise<void>;
  /** Before measuring: makes every open connection a recipient (Gavel: subscribes them to the auction). */
  prepare?(ctx: BenchContext): Promise<void>;
}

export interface FanOutSamples {
  /** Last-receipt latency of each complete repetition. */
  latenciesMs: number[];
  delivered: number;
  missed: number;
}

const DELIVERY_TIMEOUT_MS = 30_000;
const PAUSE_BETWEEN_REPS_MS = 150;

let nextAmountCents = 100_000;

/** Strictly increasing amounts: every Gavel bid outbids the previous one, and each amount identifies its event. */
export function nextAmount(): number {
  return nextAmountCents++;
}

export async function measureFanOut(
  ctx: BenchContext,
  target: FanOutTarget,
  reps: number,
  label: string,
): Promise<FanOutSamples> {
  const samples: FanOutSamples = { latenciesMs: [], delivered: 0, missed: 0 };
  await target.prepare?.(ctx);
  for (let rep = 1; rep <= reps; rep++) {
    ctx.progress.update(`${label}: repetition ${rep}/${reps}`);
    const amount = nextAmount();
    const sentAt = epochNow();
    const waiting = awaitKeys(ctx, target.system, [amount]);
    await target.send(amount);
    const { delivered, expected, last } = tally(await waiting, [amount]);
    samples.delivered += delivered;
    samples.missed += expected - delivered;
    if (delivered === expected && expected > 0) samples.latenciesMs.push(last - sentAt);
    await sleep(PAUSE_BETWEEN_REPS_MS);
  }
  return samples;
}

/** `count` bids sent one after another without waiting for delivery: deliveries/s until the last one lands. */
export async function measureBurst(
  ctx: BenchContext,
  target: FanOutTarget,
  count: number,
  label: string,
): Promise<{ perSec: number; missed: number }> {
  ctx.progress.update(`${label}: burst of ${count}`);
  await target.prepare?.(ctx);
  const amounts = Array.from({ length: count }, () => nextAmount());
  const waiting = awaitKeys(ctx, target.system, amounts);
  const sentAt = epochNow();
  for (const amount of amounts) await target.send(amount);
  const { delivered, expected, last } = tally(await waiting, amounts);
  await sleep(PAUSE_BETWEEN_REPS_MS);
  return { perSec: ratePerSecond(delivered, last - sentAt), missed: expected - delivered };
}

function awaitKeys(ctx: BenchContext, system: SystemUnderTest, keys: number[]): Promise<AwaitBidsResult[]> {
  return ctx.clients.all<AwaitBidsResult>((_, id) => ({
    type: 'await-bids',
    id,
    system,
    keys,
    timeoutMs: DELIVERY_TIMEOUT_MS,
  }));
}

function tally(replies: AwaitBidsResult[], keys: number[]): { delivered: number; expected: number; last: number } {
  let delivered = 0;
  let expected = 0;
  let last = 0;
  for (const reply of replies) {
    expected += reply.open * keys.length;
    for (const key of keys) {
      const receipts = reply.receipts[key];
      if (!receipts) continue;
      delivered += receipts.count;
      last = Math.max(last, receipts.last);
    }
  }
  return { delivered, expected, last };
}
