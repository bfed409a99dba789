/** Turns results into the Markdown tables the bench prints and the README shows (pure). */
import type {
  AuctionHouseFigures,
  BenchResults,
  LambdaFigures,
  ReplicatedAuctionHouseFigures,
  RunFigures,
} from './results-schema.js';

export type Align = 'left' | 'right';

/** A Markdown table whose columns are padded, so it reads well in a terminal and renders on GitHub. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  const widths = header.map((title, column) =>
    Math.max(3, title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const pad = (text: string, column: number): string =>
    align[column] === 'right' ? text.padStart(widths[column]!) : text.padEnd(widths[column]!);
  const line = (cells: readonly string[]): string =>
    `| ${header.map((_, column) => pad(cells[column] ?? '', column)).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (align[column] === 'right' ? `${'-'.repeat(width + 1)}:` : `${'-'.repeat(width + 2)}`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** `1234.5` → `1,235`; small values keep a decimal or two so they stay readable. */
export function formatNumber(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

interface MetricRow {
  label: string;
  target: string;
  value: (run: RunFigures) => number | undefined;
  suffix?: (run: RunFigures) => string;
}

const METRICS: MetricRow[] = [
  {
    label: 'connect + auth, connections/s',
    target: '≥ 1,000',
    value: (run) => run.connect?.achievedPerSec,
    suffix: (run) => (run.connect?.failed ? ` (${run.connect.failed} failed)` : ''),
  },
  { label: 'connect + auth p99, ms', target: '≤ 100', value: (run) => run.connect?.p99Ms },
  {
    label: 'API / gateway CPU per connection, µs',
    target: '',
    value: (run) => run.connect?.apiCpuUsPerConnection,
    suffix: (run) => slashed(run.connect?.gatewayCpuUsPerConnection),
  },
  {
    label: 'bid → all N received, p50 ms',
    target: '',
    value: (run) => run.bid?.p50Ms,
    suffix: (run) => missed(run.bid?.missed),
  },
  { label: 'bid → all N received, p99 ms', target: '', value: (run) => run.bid?.p99Ms },
  { label: 'bid burst, deliveries/s', target: '', value: (run) => run.bid?.sustainedPerSec },
  {
    label: 'Socket.IO io.emit → all N, p50 ms',
    target: '',
    value: (run) => run.socketIo?.p50Ms,
    suffix: (run) => missed(run.socketIo?.missed),
  },
  { label: 'Socket.IO io.emit → all N, p99 ms', target: '', value: (run) => run.socketIo?.p99Ms },
  {
    label: 'Gavel p50 / Socket.IO p50',
    target: '≤ 4 at 5,000',
    value: (run) => run.ratio,
    suffix: (run) => (run.ratio === undefined ? '' : '×'),
  },
  {
    label: 'notifications, delivered/s',
    target: '≥ 5,000',
    value: (run) => run.notifications?.deliveredPerSec,
    suffix: (run) => missed(run.notifications?.missed),
  },
  { label: 'notification delivery p99, ms', target: '≤ 100', value: (run) => run.notifications?.p99Ms },
  { label: 'API CPU per delivered push, µs', target: '≤ 40', value: (run) => run.bid?.apiCpuUsPerPush },
  {
    label: 'bare keep-alive POST, CPU µs (server / sender)',
    target: '',
    value: (run) => run.barePost?.cpuUsPerRequest,
    suffix: (run) => slashed(run.barePost?.senderCpuUsPerRequest),
  },
  {
    label: 'API CPU per push ÷ bare POST (bid / notification)',
    target: '≤ 1.0',
    value: (run) => run.bid?.apiCpuPerPushInBarePosts,
    suffix: (run) =>
      `×${run.notifications?.apiCpuPerPushInBarePosts === undefined ? '' : ` / ${formatNumber(run.notifications.apiCpuPerPushInBarePosts)}×`}`,
  },
  { label: 'gateway CPU per delivered push, µs', target: '', value: (run) => run.bid?.gatewayCpuUsPerPush },
  { label: 'gateway RSS per idle connection, KB', target: '≤ 30', value: (run) => run.gatewayRssKbPerConnection },
];

/** A second figure in the same cell, e.g. "1,050 / 720". */
function slashed(value: number | undefined): string {
  return value === undefined ? '' : ` / ${formatNumber(value)}`;
}

function missed(count: number | undefined): string {
  return count ? ` (${count} missed)` : '';
}

/** One row per metric, one column per N, plus the target. */
export function resultsTable(runs: readonly RunFigures[]): string {
  const header = ['metric', ...runs.map((run) => `N = ${run.n.toLocaleString('en-US')}`), 'target'];
  const rows = METRICS.map((metric) => [
    metric.label,
    ...runs.map((run) => {
      const value = metric.value(run);
      return value === undefined ? '–' : `${formatNumber(value)}${metric.suffix?.(run) ?? ''}`;
    }),
    metric.target,
  ]);
  return markdownTable(header, rows, ['left', ...runs.map((): Align => 'right'), 'left']);
}

/** The auction-house phase: Gavel beside Socket.IO rooms, with the targets of contract §8. */
export function auctionHouseTable(figures: AuctionHouseFigures, cpuModel: string): string {
  const { gavel, socketIo } = figures;
  const io = (value: (f: NonNullable<AuctionHouseFigures['socketIo']>) => string): string =>
    socketIo ? value(socketIo) : '–';
  const equal = (f: { mismatchedBids: number; acceptedBids: number }): string =>
    f.mismatchedBids === 0 ? `yes, all ${f.acceptedBids} bids` : `NO: ${f.mismatchedBids} of ${f.acceptedBids} differ`;
  const rows: string[][] = [
    [
      'bids accepted (achieved/s)',
      `${gavel.acceptedBids} (${formatNumber(gavel.achievedBidsPerSec)})`,
      io((f) => `${f.acceptedBids} (${formatNumber(f.achievedBidsPerSec)})`),
      '',
    ],
    [
      'pushes per bid (watchers per bid)',
      `${formatNumber(gavel.pushesPerBid)} (${formatNumber(gavel.watchersPerBid)})`,
      io((f) => `${formatNumber(f.pushesPerBid)} (${formatNumber(f.watchersPerBid)})`),
      '= watchers',
    ],
    ["pushes = its auction's watchers, per bid", equal(gavel), io(equal), 'every bid'],
    [
      'stray / out-of-order frames',
      `${gavel.stray} / ${gavel.outOfOrder}`,
      io((f) => `${f.stray} / ${f.outOfOrder}`),
      '0 / 0',
    ],
    ['bid → its watchers, p50 ms', formatNumber(gavel.p50Ms), io((f) => formatNumber(f.p50Ms)), ''],
    ['bid → its watchers, p99 ms', formatNumber(gavel.p99Ms), io((f) => formatNumber(f.p99Ms)), ''],
    [
      'Gavel p99 / Socket.IO rooms p99 (p50)',
      figures.p99Ratio === undefined || !Number.isFinite(figures.p99Ratio)
        ? '–'
        : `${formatNumber(figures.p99Ratio)}× (${formatNumber(figures.p50Ratio)}×)`,
      '',
      '≤ 3',
    ],
    [
      'server CPU per accepted bid, µs',
      formatNumber(gavel.serverCpuUsPerBid),
      io((f) => formatNumber(f.serverCpuUsPerBid)),
      '',
    ],
    [
      'server CPU per push, µs',
      formatNumber(gavel.serverCpuUsPerPush),
      io((f) => formatNumber(f.serverCpuUsPerPush)),
      '',
    ],
    ['gateway CPU per push, µs', formatNumber(gavel.gatewayCpuUsPerPush), '', ''],
    ['API CPU at rest just before, ms/s', formatNumber(gavel.apiIdleCpuMsPerSec), '', ''],
    [
      `bare keep-alive POST, CPU µs, median of slices (${cpuModel})`,
      figures.barePost.cpuUsPerRequestRange
        ? `${formatNumber(figures.barePost.cpuUsPerRequest)} (${figures.barePost.cpuUsPerRequestRange.map(formatNumber).join('–')})`
        : formatNumber(figures.barePost.cpuUsPerRequest),
      '',
      '',
    ],
    [
      '**API CPU per push ÷ bare POST** (Socket.IO: its server CPU per push)',
      `${formatNumber(gavel.apiCpuPerPushInBarePosts)}×`,
      io((f) => `${formatNumber(f.serverCpuUsPerPush / figures.barePost.cpuUsPerRequest)}×`),
      '≤ 1.0',
    ],
    ...(figures.barePost.senderCpuUsPerRequest === undefined
      ? []
      : [
          [
            'bare POST, sender side (undici, unsigned): the floor of a push, CPU µs',
            `${formatNumber(figures.barePost.senderCpuUsPerRequest)} (${formatNumber(figures.barePost.senderCpuUsPerRequest / figures.barePost.cpuUsPerRequest)}× a bare POST)`,
            '',
            '',
          ],
        ]),
  ];
  const title = `Auction house: N = ${figures.n.toLocaleString('en-US')} connections, ${figures.auctions} auctions, ${figures.watchesPerConnection.min}–${figures.watchesPerConnection.max} watched each (${figures.subscriptions.toLocaleString('en-US')} subscriptions), ${figures.offeredBidsPerSec} bids/s offered for ${figures.seconds} s by ${figures.bidders} bidders (at most ${figures.maxBidsPerBidderPerSec} bids/s each; limit ${formatNumber(figures.bidRateLimitPerSec)}), seed ${figures.seed}`;
  return `${title}\n\n${markdownTable(['auction house', 'Gavel', 'Socket.IO rooms', 'target'], rows, ['left', 'right', 'right', 'left'])}`;
}

/**
 * `--replicas K`: the auction-house phase on one API copy beside K copies behind HAProxy (same workload,
 * same database kind); the CPU figures of the K column sum every copy.
 */
export function replicasTable(
  one: AuctionHouseFigures,
  replicated: ReplicatedAuctionHouseFigures,
  cpuModel: string,
): string {
  const a = one.gavel;
  const b = replicated.auctionHouse.gavel;
  const k = replicated.copies;
  const equal = (f: { mismatchedBids: number; acceptedBids: number }): string =>
    f.mismatchedBids === 0 ? `yes, all ${f.acceptedBids} bids` : `NO: ${f.mismatchedBids} of ${f.acceptedBids} differ`;
  const rejected = (f: { rejectedBids: Record<string, number> }): string => {
    const entries = Object.entries(f.rejectedBids);
    return entries.length === 0 ? 'none' : entries.map(([status, count]) => `${count}× ${status}`).join(', ');
  };
  const subscribed = (f: AuctionHouseFigures): string => {
    const failed = Object.values(f.subscribeFailures).reduce((sum, count) => sum + count, 0);
    return `${f.subscriptions.toLocaleString('en-US')} (${failed})`;
  };
  const rows: string[][] = [
    [
      'bids accepted (achieved/s)',
      `${a.acceptedBids} (${formatNumber(a.achievedBidsPerSec)})`,
      `${b.acceptedBids} (${formatNumber(b.achievedBidsPerSec)})`,
      '',
    ],
    ['bids not accepted', rejected(a), rejected(b), 'none'],
    ['subscriptions (failed)', subscribed(one), subscribed(replicated.auctionHouse), ''],
    [
      'pushes per bid (watchers per bid)',
      `${formatNumber(a.pushesPerBid)} (${formatNumber(a.watchersPerBid)})`,
      `${formatNumber(b.pushesPerBid)} (${formatNumber(b.watchersPerBid)})`,
      '= watchers',
    ],
    ["pushes = its auction's watchers, per bid", equal(a), equal(b), 'every bid'],
    ['stray / out-of-order frames', `${a.stray} / ${a.outOfOrder}`, `${b.stray} / ${b.outOfOrder}`, '0 / 0'],
    ['bid → its watchers, p50 ms', formatNumber(a.p50Ms), formatNumber(b.p50Ms), ''],
    ['bid → its watchers, p99 ms', formatNumber(a.p99Ms), formatNumber(b.p99Ms), ''],
    [
      `API CPU per accepted bid, µs${k > 1 ? ' (sum over the copies)' : ''}`,
      formatNumber(a.serverCpuUsPerBid),
      formatNumber(b.serverCpuUsPerBid),
      '',
    ],
    [
      'API CPU per copy over the bids, ms',
      '',
      replicated.apiCpuMsPerCopy.map((ms) => formatNumber(ms)).join(' / '),
      'even',
    ],
    ['gateway CPU per push, µs', formatNumber(a.gatewayCpuUsPerPush), formatNumber(b.gatewayCpuUsPerPush), ''],
    [
      `bare keep-alive POST, CPU µs (${cpuModel})`,
      formatNumber(one.barePost.cpuUsPerRequest),
      formatNumber(replicated.auctionHouse.barePost.cpuUsPerRequest),
      '',
    ],
    [
      '**API CPU per push ÷ bare POST**',
      `${formatNumber(a.apiCpuPerPushInBarePosts)}×`,
      `${formatNumber(b.apiCpuPerPushInBarePosts)}×`,
      '≤ 1.0',
    ],
  ];
  const ah = replicated.auctionHouse;
  const title = `Auction house on one API copy and on ${k} copies behind HAProxy (one database): N = ${ah.n.toLocaleString('en-US')} connections, ${ah.auctions} auctions, ${ah.offeredBidsPerSec} bids/s offered for ${ah.seconds} s, seed ${ah.seed}`;
  return `${title}\n\n${markdownTable(['auction house', 'one copy', `${k} copies via HAProxy`, 'target'], rows, ['left', 'right', 'right', 'left'])}`;
}

export function lambdaTable(lambdas: readonly LambdaFigures[]): string {
  return markdownTable(
    ['Lambda bundle', 'size, KB', 'cold import, ms (median)', 'target'],
    lambdas.map((lambda) => [
      lambda.name,
      formatNumber(lambda.bytes / 1024),
      formatNumber(lambda.coldImportMs),
      '≤ 50 KB, ≤ 30 ms',
    ]),
    ['left', 'right', 'right', 'left'],
  );
}

/** Everything a reader needs: the tables, the skipped phases and the notes. */
export function fullReport(results: BenchResults): string {
  const { machine } = results;
  const cpuModel = `${machine.cpus} × ${machine.cpuModel}`;
  const parts: string[] = [];
  if (results.runs.length > 0) parts.push(resultsTable(results.runs));
  if (results.auctionHouse) parts.push(auctionHouseTable(results.auctionHouse, cpuModel));
  if (results.auctionHouse && results.auctionHouseReplicas)
    parts.push(replicasTable(results.auctionHouse, results.auctionHouseReplicas, cpuModel));
  if (results.lambdas.length > 0) parts.push(lambdaTable(results.lambdas));
  const skipped = results.runs.flatMap((run) =>
    Object.entries(run.skipped).map(([phase, why]) => `- N = ${run.n}: ${phase} skipped: ${why}`),
  );
  const setting = `- ${results.database === 'mysql' ? 'MySQL/MariaDB' : 'SQLite'}; ${cpuModel}, Node ${machine.node}; load average ${formatNumber(machine.loadAverage.start)} at the start, ${formatNumber(machine.loadAverage.end)} at the end; ${results.settings.clients} load-client processes, ${results.settings.reps} repetitions, connect offered at ${results.settings.connectRatePerSec}/s`;
  const notes = [
    setting,
    ...skipped,
    ...(results.auctionHouseSkipped ? [`- auction house skipped: ${results.auctionHouseSkipped}`] : []),
    ...(results.auctionHouseReplicasSkipped
      ? [`- auction house on several copies skipped: ${results.auctionHouseReplicasSkipped}`]
      : []),
    ...results.notes.map((note) => `- ${note}`),
  ];
  parts.push(notes.join('\n'));
  return parts.join('\n\n');
}
