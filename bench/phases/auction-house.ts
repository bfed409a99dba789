/**
 * The auction-house phase (contract §8): many auctions open at once, every connection watching one to
 * three of them (seeded), bids arriving at a steady rate across all auctions through the REST API, as
 * real bidders send them. Per accepted bid it counts the frames that arrived (they must equal the
 * auction's watchers), the time from sending the bid until its last watcher had it, and the server's
 * CPU. The same workload — same connections, same watch assignment, same sequence of auctions — then
 * runs on Socket.IO rooms (`io.to(room).emit`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DEV_DEFAULTS } from '@gavel/config';
import type { AuctionHouseOptions } from '../cli-options.js';
import type { AwaitAuctionBidsResult, SystemUnderTest, WatchSetResult } from '../client/protocol.js';
import { epochNow } from '../clock.js';
import type { BenchContext, BenchUser } from '../context.js';
import { cpuTimeMs } from '../proc-stats.js';
import { HttpError, mapConcurrent, requestJson } from '../rest.js';
import type { AuctionHouseSystemFigures } from '../results-schema.js';
import { seededRandom } from '../seeded-random.js';
import { ratePerSecond, summarize } from '../stats.js';
import { nextAmount } from './fan-out.js';
import { loginDemoAdmin, registerAndLogin } from './users.js';

export const WATCHES_PER_CONNECTION = { min: 1, max: 3 } as const;
/** Bids awaiting their answer at once, at most: when the server falls behind, the achieved rate shows it. */
const MAX_BIDS_IN_FLIGHT = 64;
const SUBSCRIBE_TIMEOUT_MS = 30_000;
const DELIVERY_TIMEOUT_MS = 30_000;
/** The planned sequence never sends two bids to one auction within this many bids (so they rarely wait on each other). */
const NO_REPEAT_WITHIN = 16;

/** The default per-user bid limit (BID_RATE_LIMIT) in bids per second: what a real bidder may send. */
export const BID_LIMIT_PER_SEC = (DEV_DEFAULTS.BID_RATE_LIMIT.limit * 1000) / DEV_DEFAULTS.BID_RATE_LIMIT.windowMs;

/** Bidders needed so that each sends at most half the per-user limit (headroom for timer jitter). */
export function biddersFor(ratePerSec: number, limitPerSec = BID_LIMIT_PER_SEC): number {
  return Math.max(1, Math.ceil(ratePerSec / (limitPerSec / 2)));
}

/** The auction (index) of each bid: seeded, spread over all auctions, no auction twice within NO_REPEAT_WITHIN bids. */
export function planBids(seed: number, auctions: number, count: number): number[] {
  const random = seededRandom(seed);
  const window = Math.min(NO_REPEAT_WITHIN, auctions - 1);
  const plan: number[] = [];
  for (let i = 0; i < count; i++) {
    const recent = new Set(plan.slice(Math.max(0, i - window)));
    let pick: number;
    do pick = Math.floor(random() * auctions);
    while (recent.has(pick));
    plan.push(pick);
  }
  return plan;
}

/** The most events in any window of `windowMs` (times ascending). */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

export interface AuctionHouseWorld {
  auctionIds: Array<number | string>;
  bidders: BenchUser[];
  plan: number[];
}

/** The auctions (created by the seeded admin) and the bidders (users holding no connection). */
export async function prepareAuctionHouse(ctx: BenchContext, options: AuctionHouseOptions): Promise<AuctionHouseWorld> {
  const { apiUrl } = ctx.stack;
  const adminToken = await loginDemoAdmin(apiUrl);
  const endsAt = new Date(Date.now() + 6 * 3_600_000).toISOString();
  const auctionIds = await mapConcurrent(
    Array.from({ length: options.auctions }, (_, i) => i),
    8,
    async (i) => {
      ctx.progress.update(`auction house: creating auction ${i + 1}/${options.auctions}`);
      const auction = await requestJson<{ id: number | string }>(apiUrl, 'POST', '/auctions', {
        token: adminToken,
        body: { title: `Auction house lot ${i + 1}`, startingPriceCents: 1_000, endsAt },
      });
      return auction.id;
    },
  );
  const password = `bench-${Math.random().toString(36).slice(2)}`;
  const suffix = Date.now().toString(36);
  const bidders = await mapConcurrent(
    Array.from({ length: biddersFor(options.ratePerSec) }, (_, i) => i),
    4,
    (i) => registerAndLogin(apiUrl, `bench-ah-${suffix}-${i}@bench.test`, password, `Bidder ${i + 1}`),
  );
  return { auctionIds, bidders, plan: planBids(options.seed, options.auctions, options.ratePerSec * options.seconds) };
}

/** Every open connection of `system` watches 1–3 auctions (the same seeds for both systems). */
export async function watchAuctions(
  ctx: BenchContext,
  system: SystemUnderTest,
  world: AuctionHouseWorld,
  seed: number,
): Promise<{
  watchers: Map<string, number>;
  subscriptions: number;
  failures: Record<string, number>;
  /** Connections of `system` per load-client process (Socket.IO opens the same, so the seeds give the same plan). */
  connectionsPerClient: number[];
}> {
  ctx.progress.update(`auction house: ${system} connections subscribing to 1–3 auctions each…`);
  const results = await ctx.clients.all<WatchSetResult>((client, id) => ({
    type: 'watch-set',
    id,
    system,
    seed: seed * 1_000 + client,
    auctionIds: world.auctionIds,
    minPerConnection: WATCHES_PER_CONNECTION.min,
    maxPerConnection: WATCHES_PER_CONNECTION.max,
    timeoutMs: SUBSCRIBE_TIMEOUT_MS,
  }));
  const watchers = new Map<string, number>();
  const failures: Record<string, number> = {};
  let subscriptions = 0;
  for (const result of results) {
    subscriptions += result.subscribed;
    for (const [auction, count] of Object.entries(result.watchers))
      watchers.set(auction, (watchers.get(auction) ?? 0) + count);
    for (const [reason, count] of Object.entries(result.failed)) failures[reason] = (failures[reason] ?? 0) + count;
  }
  return { watchers, subscriptions, failures, connectionsPerClient: results.map((result) => result.connections) };
}

export interface BidSender {
  /** Sends one bid; resolves to the answer status ('201' is accepted). */
  send(auctionId: number | string, bidder: number, amountCents: number): Promise<string>;
}

export function gavelBidSender(ctx: BenchContext, bidders: readonly BenchUser[]): BidSender {
  return {
    send: async (auctionId, bidder, amountCents) =>
      answerStatus(() =>
        requestJson(ctx.stack.apiUrl, 'POST', `/auctions/${encodeURIComponent(String(auctionId))}/bids`, {
          token: bidders[bidder]!.token,
          body: { amountCents },
          expect: [201],
        }),
      ),
  };
}

export function socketIoBidSender(url: string): BidSender {
  return {
    send: (auctionId, _bidder, amountCents) =>
      answerStatus(() => requestJson(url, 'POST', '/bids', { body: { auctionId, amountCents }, expect: [201] })),
  };
}

async function answerStatus(request: () => Promise<unknown>): Promise<string> {
  try {
    await request();
    return '201';
  } catch (error) {
    if (error instanceof HttpError) return String(error.status);
    return `error: ${error instanceof Error ? error.message.slice(0, 60) : String(error)}`;
  }
}

export interface AuctionHouseRun {
  figures: AuctionHouseSystemFigures;
  /** Per bidder, when each of its bids was sent (epoch ms, ascending). */
  bidderSendTimes: number[][];
  /** CPU (ms) the watched processes used from the first bid until the last delivery. */
  cpuMs: number[];
}

/**
 * Sends the planned bids at `ratePerSec` (open loop, at most MAX_BIDS_IN_FLIGHT unanswered; a bid to an
 * auction whose previous bid is unanswered waits for that answer, so each auction's amounts rise), then
 * waits for every accepted bid to reach its auction's watchers and measures.
 */
export async function runBids(
  ctx: BenchContext,
  system: SystemUnderTest,
  world: AuctionHouseWorld,
  watchers: ReadonlyMap<string, number>,
  options: AuctionHouseOptions,
  sender: BidSender,
  cpuPids: readonly number[],
  /** The first `serverProcesses` of cpuPids are the server (several API copies: their CPU is summed). */
  serverProcesses = 1,
): Promise<AuctionHouseRun> {
  const accepted: Array<{ amountCents: number; auctionId: number | string; sentAt: number }> = [];
  const rejected: Record<string, number> = {};
  const bidderSendTimes: number[][] = world.bidders.map(() => []);
  const previous = new Map<number, Promise<void>>();
  const inFlight = new Set<Promise<void>>();
  const intervalMs = 1000 / options.ratePerSec;
  const cpuBefore = cpuPids.map((pid) => cpuTimeMs(pid));
  const startedAt = epochNow();
  let lastAnswerAt = startedAt;

  for (let i = 0; i < world.plan.length; i++) {
    const due = startedAt + i * intervalMs;
    const wait = due - epochNow();
    if (wait > 0) await sleep(wait);
    while (inFlight.size >= MAX_BIDS_IN_FLIGHT) await Promise.race(inFlight);
    if (i % 20 === 0) ctx.progress.update(`auction house (${system}): bid ${i + 1}/${world.plan.length}`);
    const auctionIndex = world.plan[i]!;
    const auctionId = world.auctionIds[auctionIndex]!;
    const bidder = i % world.bidders.length;
    const before = previous.get(auctionIndex) ?? Promise.resolve();
    const bid = before.then(async () => {
      const amountCents = nextAmount();
      const sentAt = epochNow();
      bidderSendTimes[bidder]!.push(sentAt);
      const status = await sender.send(auctionId, bidder, amountCents);
      lastAnswerAt = Math.max(lastAnswerAt, epochNow());
      if (status === '201') accepted.push({ amountCents, auctionId, sentAt });
      else rejected[status] = (rejected[status] ?? 0) + 1;
    });
    previous.set(auctionIndex, bid);
    inFlight.add(bid);
    void bid.finally(() => inFlight.delete(bid));
  }
  await Promise.all(inFlight);

  ctx.progress.update(`auction house (${system}): waiting for ${accepted.length} bids to reach their watchers`);
  const replies = await ctx.clients.all<AwaitAuctionBidsResult>((_, id) => ({
    type: 'await-auction-bids',
    id,
    system,
    bids: accepted.map(({ amountCents, auctionId }) => ({ amountCents, auctionId })),
    timeoutMs: DELIVERY_TIMEOUT_MS,
  }));
  const cpuMs = cpuPids.map((pid, index) => cpuTimeMs(pid) - cpuBefore[index]!);

  const latencies: number[] = [];
  let watcherSum = 0;
  let pushes = 0;
  let mismatched = 0;
  let missed = 0;
  let surplus = 0;
  for (const bid of accepted) {
    const expected = watchers.get(String(bid.auctionId)) ?? 0;
    let count = 0;
    let last = 0;
    for (const reply of replies) {
      const receipts = reply.receipts[bid.amountCents];
      if (!receipts) continue;
      count += receipts.count;
      last = Math.max(last, receipts.last);
    }
    watcherSum += expected;
    pushes += count;
    if (count !== expected) mismatched++;
    missed += Math.max(0, expected - count);
    surplus += Math.max(0, count - expected);
    if (count === expected && expected > 0) latencies.push(last - bid.sentAt);
  }
  const summary = summarize(latencies);
  const serverCpuMs =
    cpuMs.length >= serverProcesses ? cpuMs.slice(0, serverProcesses).reduce((sum, ms) => sum + ms, 0) : Number.NaN;
  return {
    figures: {
      acceptedBids: accepted.length,
      rejectedBids: rejected,
      achievedBidsPerSec: ratePerSecond(accepted.length, lastAnswerAt - startedAt),
      watchersPerBid: accepted.length ? watcherSum / accepted.length : Number.NaN,
      pushesPerBid: accepted.length ? pushes / accepted.length : Number.NaN,
      mismatchedBids: mismatched,
      missed,
      surplus,
      stray: replies.reduce((sum, reply) => sum + reply.stray, 0),
      outOfOrder: replies.reduce((sum, reply) => sum + reply.outOfOrder, 0),
      pushes,
      p50Ms: summary.p50,
      p99Ms: summary.p99,
      serverCpuUsPerBid: accepted.length ? (serverCpuMs * 1000) / accepted.length : Number.NaN,
      serverCpuUsPerPush: pushes ? (serverCpuMs * 1000) / pushes : Number.NaN,
    },
    bidderSendTimes,
    cpuMs,
  };
}
