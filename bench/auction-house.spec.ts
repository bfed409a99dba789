import { describe, expect, it } from '@jest/globals';
import { parseBenchOptions, UsageError } from './cli-options.js';
import { biddersFor, BID_LIMIT_PER_SEC, maxInWindow, planBids } from './phases/auction-house.js';
import type { AuctionHouseFigures, AuctionHouseSystemFigures } from './results-schema.js';
import { pickDistinct, randomInt, seededRandom } from './seeded-random.js';
import { auctionHouseTable } from './table.js';

describe('seeded workload', () => {
  it('gives the same numbers for the same seed and others for another', () => {
    const draw = (seed: number): number[] => {
      const random = seededRandom(seed);
      return Array.from({ length: 5 }, () => random());
    };
    expect(draw(15)).toEqual(draw(15));
    expect(draw(16)).not.toEqual(draw(15));
    for (const value of draw(15)) expect(value >= 0 && value < 1).toBe(true);
  });

  it('draws each connection 1–3 distinct auctions, every count and every auction occurring', () => {
    const random = seededRandom(7);
    const auctions = Array.from({ length: 20 }, (_, i) => i + 1);
    const counts = new Set<number>();
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) {
      const count = randomInt(random, 1, 3);
      const picked = pickDistinct(random, auctions, count);
      expect(new Set(picked).size).toBe(count);
      counts.add(count);
      for (const auction of picked) seen.add(auction);
    }
    expect([...counts].sort()).toEqual([1, 2, 3]);
    expect(seen.size).toBe(20);
  });

  it('plans bids across all auctions, never one auction twice within 16 bids, the same for the same seed', () => {
    const plan = planBids(15, 200, 4_000);
    expect(plan).toHaveLength(4_000);
    expect(planBids(15, 200, 4_000)).toEqual(plan);
    expect(new Set(plan).size).toBe(200);
    for (let i = 1; i < plan.length; i++) expect(plan.slice(Math.max(0, i - 16), i)).not.toContain(plan[i]);
    // Few auctions: the window shrinks so a plan still exists.
    expect(planBids(1, 3, 30).every((auction, i, all) => i === 0 || auction !== all[i - 1])).toBe(true);
  });
});

describe('bidders stay under the per-user bid limit', () => {
  it('spreads the rate so each bidder sends at most half the limit', () => {
    expect(BID_LIMIT_PER_SEC).toBe(10);
    expect(biddersFor(20)).toBe(4);
    expect(biddersFor(21)).toBe(5);
    expect(biddersFor(1)).toBe(1);
    for (const rate of [1, 7, 20, 100, 333]) expect(rate / biddersFor(rate)).toBeLessThanOrEqual(BID_LIMIT_PER_SEC / 2);
  });

  it('finds the most events in any 1 s window', () => {
    expect(maxInWindow([], 1_000)).toBe(0);
    expect(maxInWindow([0, 200, 400, 600, 800], 1_000)).toBe(5);
    expect(maxInWindow([0, 999, 1_000, 1_500, 1_998], 1_000)).toBe(4);
    expect(maxInWindow([0, 999, 1_000, 1_500, 1_999.5], 1_000)).toBe(3);
    expect(maxInWindow([0, 1_000, 2_000], 1_000)).toBe(1);
  });
});

describe('--only auction-house and the auction-house options', () => {
  it('runs the phase by default, after the sizes, with 10,000 connections and 200 auctions', () => {
    const options = parseBenchOptions([]);
    expect(options.sizes).toEqual([1000, 5000]);
    expect(options.auctionHouse).toEqual({ n: 10_000, auctions: 200, ratePerSec: 20, seconds: 20, seed: 15 });
    expect(options.resultName).toBe('latest');
  });

  it('runs only the phase with --only auction-house (either spelling), into its own result file', () => {
    for (const argv of [['--only', 'auction-house'], ['--only=auction-house']]) {
      const options = parseBenchOptions([...argv, '--ah-n', '2_000', '--ah-rate', '50']);
      expect(options.sizes).toEqual([]);
      expect(options.auctionHouse).toMatchObject({ n: 2000, ratePerSec: 50, auctions: 200 });
      expect(options.resultName).toBe('auction-house');
    }
    // The older meaning of a bare --only after --n is kept.
    expect(parseBenchOptions(['--n', '300', '--only']).sizes).toEqual([300]);
    expect(parseBenchOptions(['--only', '--n', '300']).sizes).toEqual([300]);
  });

  it('refuses an unknown phase, contradictions and bad numbers with a usage error', () => {
    expect(() => parseBenchOptions(['--only', 'auction'])).toThrow(/--only takes a phase \(auction-house\)/);
    expect(() => parseBenchOptions(['--only', 'auction-house', '--no-auction-house'])).toThrow(UsageError);
    expect(() => parseBenchOptions(['--only', 'auction-house', '--n', '300'])).toThrow(/--ah-n/);
    expect(() => parseBenchOptions(['--ah-rate', '0'])).toThrow(/--ah-rate must be a positive integer/);
    expect(() => parseBenchOptions(['--ah-auctions', '2'])).toThrow(/at least 3/);
    expect(parseBenchOptions(['--no-auction-house']).auctionHouse).toBeUndefined();
    expect(parseBenchOptions(['--quick']).auctionHouse).toMatchObject({ n: 200 });
  });
});

describe('auctionHouseTable', () => {
  const system = (overrides: Partial<AuctionHouseSystemFigures>): AuctionHouseSystemFigures => ({
    acceptedBids: 400,
    rejectedBids: {},
    achievedBidsPerSec: 20,
    watchersPerBid: 100,
    pushesPerBid: 100,
    mismatchedBids: 0,
    missed: 0,
    surplus: 0,
    stray: 0,
    outOfOrder: 0,
    pushes: 40_000,
    p50Ms: 30,
    p99Ms: 90,
    serverCpuUsPerBid: 4_000,
    serverCpuUsPerPush: 40,
    ...overrides,
  });
  const figures: AuctionHouseFigures = {
    n: 10_000,
    auctions: 200,
    watchesPerConnection: { min: 1, max: 3 },
    subscriptions: 20_000,
    subscribeFailures: {},
    offeredBidsPerSec: 20,
    seconds: 20,
    seed: 15,
    bidders: 4,
    maxBidsPerBidderPerSec: 5,
    bidRateLimitPerSec: 10,
    barePost: { requests: 20_000, cpuUsPerRequest: 50 },
    gavel: { ...system({}), gatewayCpuUsPerPush: 45, apiCpuPerPushInBarePosts: 0.8 },
    socketIo: system({ p50Ms: 10, p99Ms: 30, mismatchedBids: 3, serverCpuUsPerPush: 5 }),
    p99Ratio: 3,
    p50Ratio: 3,
  };

  it('shows Gavel beside Socket.IO rooms, the check of pushes against watchers, the ratio and the CPU model', () => {
    const table = auctionHouseTable(figures, '2 × AMD EPYC');
    const row = (start: string): string | undefined => table.split('\n').find((line) => line.startsWith(start));
    expect(table).toMatch(/^Auction house: N = 10,000 connections, 200 auctions, 1–3 watched each/);
    expect(row("| pushes = its auction's watchers")).toMatch(/yes, all 400 bids \| +NO: 3 of 400 differ \|/);
    expect(row('| Gavel p99 / Socket.IO rooms p99')).toContain('3.00× (3.00×)');
    expect(row('| bare keep-alive POST, CPU µs, median of slices (2 × AMD EPYC)')).toMatch(/\| +50\.0 \|/);
    // Socket.IO rooms' server CPU per push in the same unit: 5 µs / 50 µs.
    expect(row('| **API CPU per push ÷ bare POST**')).toMatch(/\| +0\.80× +\| +0\.10× +\| ≤ 1\.0/);
    expect(table).not.toMatch(/NaN|undefined/);
    // Without a sender-side figure (results of older runs), no floor row.
    expect(table).not.toContain('the floor of a push');
  });

  it("shows the bare POST's spread over its slices when the run recorded it", () => {
    const table = auctionHouseTable(
      { ...figures, barePost: { requests: 40_000, cpuUsPerRequest: 50, cpuUsPerRequestRange: [41.5, 62] } },
      '2 × AMD EPYC',
    );
    expect(table.split('\n').find((line) => line.startsWith('| bare keep-alive POST'))).toMatch(
      /\| +50\.0 \(41\.5–62\.0\) \|/,
    );
  });

  it("shows the bare POST's sender side as the floor of a push, as a multiple of the bare POST", () => {
    const table = auctionHouseTable(
      { ...figures, barePost: { requests: 20_000, cpuUsPerRequest: 50, senderCpuUsPerRequest: 65 } },
      '2 × AMD EPYC',
    );
    const floor = table.split('\n').find((line) => line.startsWith('| bare POST, sender side'));
    expect(floor).toMatch(/\| 65\.0 \(1\.30× a bare POST\) \|/);
  });

  it('leaves the Socket.IO column empty when the baseline did not run', () => {
    const table = auctionHouseTable({ ...figures, socketIo: undefined, p99Ratio: undefined }, '2 × AMD EPYC');
    expect(table.split('\n').find((line) => line.startsWith('| bid → its watchers, p99'))).toMatch(/90\.0 \| +– \|/);
    const noLatency = auctionHouseTable({ ...figures, p99Ratio: Number.NaN }, '2 × AMD EPYC');
    expect(noLatency.split('\n').find((line) => line.startsWith('| Gavel p99 / Socket.IO rooms p99'))).toMatch(
      /\| +– \| +\| ≤ 3/,
    );
  });
});
