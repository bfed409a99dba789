/** `npm run bench -- [options]` (pure: parsed here, used by run.ts). */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Connection counts to measure, ascending; connections are added, never reopened, between sizes. */
  sizes: number[];
  quick: boolean;
  clients: number;
  reps: number;
  /** Offered connect + auth rate over all clients (open loop). */
  connectRatePerSec: number;
  notificationConcurrency: number;
  socketIo: boolean;
  profile: boolean;
  keepDb: boolean;
  /** The auction-house phase's workload, or undefined with --no-auction-house. */
  auctionHouse?: AuctionHouseOptions;
  /**
   * `--replicas K`: the auction-house phase runs a second time, through HAProxy on K API copies on the same
   * MySQL/MariaDB database (undefined: one copy only).
   */
  replicas?: number;
  /**
   * Where the JSON goes: bench/results/latest.json; quick.json for --quick and auction-house.json for
   * --only auction-house, so smoke runs and single phases never overwrite a full run's figures.
   */
  resultName: string;
}

export interface AuctionHouseOptions {
  /** Connections watching (each system holds this many during its part). */
  n: number;
  auctions: number;
  /** Offered bids per second across all auctions (open loop), for `seconds`. */
  ratePerSec: number;
  seconds: number;
  seed: number;
}

/** Phases `--only` can name (besides the historical `--only` after `--n`, which keeps meaning "only these counts"). */
export const PHASES = ['auction-house'] as const;

export const USAGE = `npm run bench -- [options]
  --n 10000[,20000]      add connection counts to the default 1,000 and 5,000
  --only                 measure only the counts given with --n
  --quick                smoke run: 200 connections, 3 repetitions (writes bench/results/quick.json)
  --clients 2            load-client processes
  --reps 10              bid repetitions per size (p50/p99 over these)
  --connect-rate 1000    offered connect + auth rate, connections/s
  --notify-concurrency 16  POST /notifications in flight at once
  --no-socketio          skip the Socket.IO baselines (io.emit and rooms)
  --only auction-house   run only the auction-house phase (writes bench/results/auction-house.json)
  --no-auction-house     skip the auction-house phase
  --ah-n 10000           auction house: connections (each watches 1–3 auctions, seeded)
  --ah-auctions 200      auction house: auctions open at once
  --ah-rate 20           auction house: bids per second across all auctions, via REST
  --ah-seconds 20        auction house: how long the bids arrive
  --ah-seed 15           auction house: seed of the watch assignment and of the bids' auctions
  --replicas 2           the auction-house phase again, through HAProxy on 2 API copies (needs DATABASE_URL=mysql://…)
  --profile              write V8 CPU profiles of the API and the gateway to bench/results/profiles/
  --keep-db              keep the run's MySQL schema (dropped by default)
Database: SQLite by default; DATABASE_URL=mysql://user:pass@host:3306/name uses a fresh schema name_<run> on that server (--replicas needs it).`;

export const DEFAULT_SIZES = [1_000, 5_000];
export const DEFAULT_AUCTION_HOUSE: AuctionHouseOptions = {
  n: 10_000,
  auctions: 200,
  ratePerSec: 20,
  seconds: 20,
  seed: 15,
};
const QUICK_AUCTION_HOUSE: AuctionHouseOptions = { n: 200, auctions: 200, ratePerSec: 10, seconds: 5, seed: 15 };

/** More copies than this on one machine measure the machine, not Gavel. */
export const MAX_REPLICAS = 8;

/**
 * Why `--replicas` cannot run on this database, or undefined when it can: several API copies share one
 * MySQL/MariaDB database (several processes on one SQLite file is not a production setup, contract §9).
 */
export function replicasDatabaseProblem(databaseUrl: string | undefined): string | undefined {
  if (databaseUrl && /^(mysql|mariadb):\/\//.test(databaseUrl)) return undefined;
  return `--replicas needs MySQL/MariaDB: several API copies share one database, and SQLite is one process's file. Run e.g. DATABASE_URL=mysql://root@127.0.0.1:3306/gavel_bench npm run bench -- --replicas 2 (a fresh schema gavel_bench_<run> is created and dropped)${databaseUrl ? ` (DATABASE_URL is ${databaseUrl.split(':')[0]}:…)` : ''}`;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: phaseArguments(argv),
      options: {
        n: { type: 'string', multiple: true },
        only: { type: 'boolean', default: false },
        quick: { type: 'boolean', default: false },
        clients: { type: 'string' },
        reps: { type: 'string' },
        'connect-rate': { type: 'string' },
        'notify-concurrency': { type: 'string' },
        'no-socketio': { type: 'boolean', default: false },
        profile: { type: 'boolean', default: false },
        'keep-db': { type: 'boolean', default: false },
        'only-phase': { type: 'string' },
        'no-auction-house': { type: 'boolean', default: false },
        'ah-n': { type: 'string' },
        'ah-auctions': { type: 'string' },
        'ah-rate': { type: 'string' },
        'ah-seconds': { type: 'string' },
        'ah-seed': { type: 'string' },
        replicas: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  if (values.help) throw new UsageError('');

  const given = (values.n ?? [])
    .flatMap((list) => list.split(','))
    .map((text) => positiveInteger(text.replace(/_/g, ''), '--n'));
  const onlyPhase = values['only-phase'];
  if (onlyPhase !== undefined && !(PHASES as readonly string[]).includes(onlyPhase))
    throw new UsageError(`--only takes a phase (${PHASES.join(', ')}) or, after --n, nothing (got "${onlyPhase}")`);
  if (onlyPhase && values['no-auction-house'])
    throw new UsageError('--only auction-house and --no-auction-house exclude each other');
  if (onlyPhase && given.length > 0)
    throw new UsageError('--only auction-house measures no --n sizes: give its connections with --ah-n');
  if (values.only && given.length === 0) throw new UsageError('--only needs --n');
  const quick = values.quick;
  const base = quick ? [200] : DEFAULT_SIZES;
  const sizes = onlyPhase ? [] : [...new Set(values.only ? given : [...base, ...given])].sort((a, b) => a - b);
  const ahDefaults = quick ? QUICK_AUCTION_HOUSE : DEFAULT_AUCTION_HOUSE;
  const ahOption = (name: string, fallback: number): number => {
    const text = values[name as 'ah-n'];
    return text === undefined ? fallback : positiveInteger(text.replace(/_/g, ''), `--${name}`);
  };
  const auctionHouse: AuctionHouseOptions | undefined = values['no-auction-house']
    ? undefined
    : {
        n: ahOption('ah-n', ahDefaults.n),
        auctions: ahOption('ah-auctions', ahDefaults.auctions),
        ratePerSec: ahOption('ah-rate', ahDefaults.ratePerSec),
        seconds: ahOption('ah-seconds', ahDefaults.seconds),
        seed: ahOption('ah-seed', ahDefaults.seed),
      };
  if (auctionHouse && auctionHouse.auctions < 3)
    throw new UsageError('--ah-auctions must be at least 3 (each connection watches up to three)');

  let replicas: number | undefined;
  if (values.replicas !== undefined) {
    replicas = positiveInteger(values.replicas, '--replicas');
    if (replicas < 2)
      throw new UsageError('--replicas must be at least 2 (one copy is what the phase measures anyway)');
    if (replicas > MAX_REPLICAS)
      throw new UsageError(`--replicas must be at most ${MAX_REPLICAS} (each copy is a process on this machine)`);
    if (!auctionHouse) throw new UsageError('--replicas runs the auction-house phase: drop --no-auction-house');
  }

  return {
    sizes,
    quick,
    clients: values.clients === undefined ? 2 : positiveInteger(values.clients, '--clients'),
    reps: values.reps === undefined ? (quick ? 3 : 10) : positiveInteger(values.reps, '--reps'),
    connectRatePerSec:
      values['connect-rate'] === undefined ? 1_000 : positiveInteger(values['connect-rate'], '--connect-rate'),
    notificationConcurrency:
      values['notify-concurrency'] === undefined
        ? 16
        : positiveInteger(values['notify-concurrency'], '--notify-concurrency'),
    socketIo: !values['no-socketio'],
    profile: values.profile,
    keepDb: values['keep-db'],
    auctionHouse,
    ...(replicas === undefined ? {} : { replicas }),
    resultName: quick ? 'quick' : onlyPhase ? onlyPhase : 'latest',
  };
}

/**
 * `--only` is a flag after `--n` ("only these counts") and takes a phase otherwise
 * (`--only auction-house`, `--only=auction-house`): the phase form becomes `--only-phase`.
 */
function phaseArguments(argv: readonly string[]): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (arg.startsWith('--only=')) args.push(`--only-phase=${arg.slice('--only='.length)}`);
    else if (arg === '--only' && next !== undefined && !next.startsWith('-')) {
      args.push(`--only-phase=${next}`);
      i++;
    } else args.push(arg);
  }
  return args;
}

function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value <= 0)
    throw new UsageError(`${flag} must be a positive integer (got "${text}")`);
  return value;
}
