import { describe, expect, it } from '@jest/globals';
import { niceCeiling, renderChart } from './chart.js';
import { parseBenchOptions, UsageError } from './cli-options.js';
import type { BenchResults, RunFigures } from './results-schema.js';
import { percentile, ratePerSecond, summarize } from './stats.js';
import { formatNumber, markdownTable, resultsTable } from './table.js';

describe('percentile', () => {
  it('is nearest-rank: never interpolates, p99 of 10 samples is the largest', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(sorted, 50)).toBe(5);
    expect(percentile(sorted, 90)).toBe(9);
    expect(percentile(sorted, 99)).toBe(10);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarize sorts its input and leaves it untouched', () => {
    const samples = [30, 10, 20, 40];
    const summary = summarize(samples);
    expect(samples).toEqual([30, 10, 20, 40]);
    expect(summary).toMatchObject({ count: 4, min: 10, p50: 20, p99: 40, max: 40, mean: 25 });
  });

  it('rates are per second and NaN over an empty span', () => {
    expect(ratePerSecond(500, 250)).toBe(2000);
    expect(ratePerSecond(5, 0)).toBeNaN();
  });
});

describe('table formatting', () => {
  it('pads columns and right-aligns numbers in valid Markdown', () => {
    const table = markdownTable(
      ['metric', 'N = 1,000'],
      [
        ['rate', '1,234'],
        ['p99, ms', '7.5'],
      ],
      ['left', 'right'],
    );
    expect(table.split('\n')).toEqual([
      '| metric  | N = 1,000 |',
      '|---------|----------:|',
      '| rate    |     1,234 |',
      '| p99, ms |       7.5 |',
    ]);
  });

  it('formats numbers with fewer decimals as they grow, and a dash for missing ones', () => {
    expect(formatNumber(1234.56)).toBe('1,235');
    expect(formatNumber(12.345)).toBe('12.3');
    expect(formatNumber(1.234)).toBe('1.23');
    expect(formatNumber(undefined)).toBe('–');
    expect(formatNumber(Number.NaN)).toBe('–');
  });

  it('has one column per N and marks missed deliveries and the ratio', () => {
    const runs: RunFigures[] = [
      {
        n: 1000,
        skipped: {},
        bid: {
          reps: 10,
          p50Ms: 20,
          p99Ms: 30,
          missed: 0,
          sustainedPerSec: 50_000,
          apiCpuUsPerPush: 12,
          gatewayCpuUsPerPush: 15,
        },
        socketIo: { reps: 10, p50Ms: 10, p99Ms: 12, missed: 3, sustainedPerSec: 90_000 },
        ratio: 2,
      },
      { n: 5000, skipped: { bid: 'POST /auctions answered 404' } },
    ];
    const lines = resultsTable(runs).split('\n');
    expect(lines[0]).toMatch(/^\| metric +\| +N = 1,000 \| +N = 5,000 \| target +\|$/);
    expect(lines.find((line) => line.startsWith('| bid → all N received, p50'))).toMatch(/\| +20\.0 \| +– \|/);
    expect(lines.find((line) => line.startsWith('| Socket.IO io.emit → all N, p50'))).toContain('10.0 (3 missed)');
    expect(lines.find((line) => line.startsWith('| Gavel p50 / Socket.IO p50'))).toContain('2.00×');
  });
});

describe('parseBenchOptions', () => {
  it('measures 1,000 and 5,000 by default and adds sizes given with --n', () => {
    expect(parseBenchOptions([]).sizes).toEqual([1000, 5000]);
    expect(parseBenchOptions(['--n', '10000']).sizes).toEqual([1000, 5000, 10000]);
    expect(parseBenchOptions(['--n', '2000,300', '--only']).sizes).toEqual([300, 2000]);
  });

  it('keeps smoke runs apart from the committed figures', () => {
    const quick = parseBenchOptions(['--quick']);
    expect(quick).toMatchObject({ sizes: [200], reps: 3, resultName: 'quick' });
    expect(parseBenchOptions([]).resultName).toBe('latest');
  });

  it('refuses unknown flags and bad numbers with a usage error', () => {
    expect(() => parseBenchOptions(['--fast'])).toThrow(UsageError);
    expect(() => parseBenchOptions(['--n', 'ten'])).toThrow(/--n must be a positive integer/);
    expect(() => parseBenchOptions(['--clients', '0'])).toThrow(/--clients/);
    expect(() => parseBenchOptions(['--only'])).toThrow(/--only needs --n/);
  });
});

describe('renderChart', () => {
  it('rounds the axis up to 1, 2 or 5 × 10^k', () => {
    expect(niceCeiling(43)).toBe(50);
    expect(niceCeiling(120)).toBe(200);
    expect(niceCeiling(0)).toBe(1);
  });

  it('draws one bar per figure, with its value, and escapes text', () => {
    const results = {
      database: 'sqlite',
      finishedAt: '2026-11-24T07:00:00.000Z',
      machine: { cpus: 2, node: '20.20.0' },
      runs: [{ n: 1000, skipped: {}, bid: { p50Ms: 20, p99Ms: 30 }, socketIo: { p50Ms: 10, p99Ms: 12 }, ratio: 2 }],
    } as unknown as BenchResults;
    const svg = renderChart(results);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect x=/g)).toHaveLength(4 + 4); // 4 bars + 4 legend swatches
    expect(svg).toContain('N = 1,000 (2.00×)');
    expect(svg).not.toMatch(/NaN|undefined/);
  });
});
