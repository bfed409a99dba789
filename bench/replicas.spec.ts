import { describe, expect, it } from '@jest/globals';
import { MAX_REPLICAS, parseBenchOptions, replicasDatabaseProblem, UsageError } from './cli-options.js';
import type { AuctionHouseFigures, GavelAuctionHouseFigures, ReplicatedAuctionHouseFigures } from './results-schema.js';
import { fullReport, replicasTable } from './table.js';

describe('--replicas', () => {
  it('is absent unless given, and takes a count of copies', () => {
    expect(parseBenchOptions([]).replicas).toBeUndefined();
    expect(parseBenchOptions(['--replicas', '2']).replicas).toBe(2);
    const options = parseBenchOptions([
      '--only',
      'auction-house',
      '--replicas=3',
      '--ah-n',
      '500',
      '--ah-seconds',
      '5',
    ]);
    expect(options).toMatchObject({ replicas: 3, sizes: [], resultName: 'auction-house' });
    expect(options.auctionHouse).toMatchObject({ n: 500, seconds: 5 });
  });

  it('refuses counts that measure nothing or only the machine, and a run without the auction house', () => {
    expect(() => parseBenchOptions(['--replicas', '1'])).toThrow(/at least 2/);
    expect(() => parseBenchOptions(['--replicas', '0'])).toThrow(/--replicas must be a positive integer/);
    expect(() => parseBenchOptions(['--replicas', 'two'])).toThrow(UsageError);
    expect(() => parseBenchOptions(['--replicas', String(MAX_REPLICAS + 1)])).toThrow(/at most 8/);
    expect(() => parseBenchOptions(['--replicas'])).toThrow(UsageError);
    expect(() => parseBenchOptions(['--replicas', '2', '--no-auction-house'])).toThrow(/drop --no-auction-house/);
  });

  it('needs a MySQL/MariaDB DATABASE_URL, and says how to give one', () => {
    expect(replicasDatabaseProblem('mysql://root@127.0.0.1:3306/test')).toBeUndefined();
    expect(replicasDatabaseProblem('mariadb://root@db/test')).toBeUndefined();
    expect(replicasDatabaseProblem(undefined)).toMatch(
      /needs MySQL\/MariaDB.*DATABASE_URL=mysql:\/\/root@127\.0\.0\.1/,
    );
    const sqlite = replicasDatabaseProblem('sqlite:/tmp/x.sqlite');
    expect(sqlite).toMatch(/DATABASE_URL is sqlite:…/);
    // Never echoes a URL that may hold a password.
    expect(replicasDatabaseProblem('postgres://u:secret@h/db')).not.toContain('secret');
  });
});

describe('replicasTable', () => {
  const gavel = (overrides: Partial<GavelAuctionHouseFigures>): GavelAuctionHouseFigures => ({
    acceptedBids: 100,
    rejectedBids: {},
    achievedBidsPerSec: 20,
    watchersPerBid: 7.5,
    pushesPerBid: 7.5,
    mismatchedBids: 0,
    missed: 0,
    surplus: 0,
    stray: 0,
    outOfOrder: 0,
    pushes: 750,
    p50Ms: 20,
    p99Ms: 60,
    serverCpuUsPerBid: 3_000,
    serverCpuUsPerPush: 400,
    gatewayCpuUsPerPush: 100,
    apiCpuPerPushInBarePosts: 8,
    ...overrides,
  });
  const house = (
    g: GavelAuctionHouseFigures,
    barePostUs: number,
    overrides: Partial<AuctionHouseFigures> = {},
  ): AuctionHouseFigures => ({
    n: 500,
    auctions: 200,
    watchesPerConnection: { min: 1, max: 3 },
    subscriptions: 1_000,
    subscribeFailures: {},
    offeredBidsPerSec: 20,
    seconds: 5,
    seed: 15,
    bidders: 4,
    maxBidsPerBidderPerSec: 5,
    bidRateLimitPerSec: 10,
    barePost: { requests: 20_000, cpuUsPerRequest: barePostUs },
    gavel: g,
    ...overrides,
  });
  const one = house(gavel({}), 50);
  const replicated: ReplicatedAuctionHouseFigures = {
    copies: 2,
    balancer: 'haproxy',
    apiCpuMsPerCopy: [160, 150],
    auctionHouse: house(
      gavel({ p99Ms: 80, serverCpuUsPerBid: 3_100, apiCpuPerPushInBarePosts: 8.5, rejectedBids: { '502': 1 } }),
      48,
      { subscriptions: 900, subscribeFailures: { 'error frame 503': 160 } },
    ),
  };

  it('puts one copy beside the copies behind HAProxy, row by row', () => {
    const table = replicasTable(one, replicated, '2 × AMD EPYC');
    const row = (start: string): string => table.split('\n').find((line) => line.startsWith(start)) ?? '(none)';
    expect(table).toMatch(/^Auction house on one API copy and on 2 copies behind HAProxy \(one database\): N = 500/);
    expect(table).toMatch(/\| auction house +\| +one copy \| 2 copies via HAProxy \| target/);
    expect(row('| pushes per bid')).toMatch(/7\.50 \(7\.50\) \| +7\.50 \(7\.50\) \| = watchers/);
    expect(row("| pushes = its auction's watchers")).toMatch(/yes, all 100 bids \| +yes, all 100 bids \|/);
    expect(row('| bid → its watchers, p99 ms')).toMatch(/60\.0 \| +80\.0 \|/);
    expect(row('| API CPU per accepted bid, µs (sum over the copies)')).toMatch(/3,000 \| +3,100 \|/);
    expect(row('| API CPU per copy over the bids, ms')).toMatch(/\| +160 \/ 150 \| even/);
    expect(row('| bids not accepted')).toMatch(/none \| +1× 502 \| none/);
    expect(row('| subscriptions (failed)')).toMatch(/1,000 \(0\) \| +900 \(160\) \|/);
    expect(row('| bare keep-alive POST, CPU µs (2 × AMD EPYC)')).toMatch(/50\.0 \| +48\.0 \|/);
    expect(row('| **API CPU per push ÷ bare POST**')).toMatch(/8\.00× \| +8\.50× \| ≤ 1\.0/);
    expect(table).not.toMatch(/NaN|undefined/);
  });

  it('is part of the report when both rows ran, and the report says when the replicated one failed', () => {
    const results = {
      version: 1 as const,
      startedAt: '',
      finishedAt: '',
      command: 'npm run bench -- --replicas 2',
      machine: {
        cpus: 2,
        cpuModel: 'AMD EPYC',
        memoryMb: 1,
        node: '22',
        platform: 'linux x64',
        loadAverage: { start: 1, end: 2 },
      },
      database: 'mysql' as const,
      settings: {
        clients: 2,
        reps: 3,
        connectRatePerSec: 1_000,
        gatewayNewConnectionsPerSecond: 1,
        usersPerConnection: 0.1,
        notificationConcurrency: 16,
      },
      runs: [],
      auctionHouse: one,
      lambdas: [],
      notes: [],
    };
    expect(fullReport({ ...results, auctionHouseReplicas: replicated })).toMatch(/\| 2 copies via HAProxy \|/);
    const failed = fullReport({ ...results, auctionHouseReplicasSkipped: 'HAProxy backends not UP' });
    expect(failed).not.toContain('via HAProxy |');
    expect(failed).toContain('- auction house on several copies skipped: HAProxy backends not UP');
  });
});
