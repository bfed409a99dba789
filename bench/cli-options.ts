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
  /** Where the JSON goes: bench/results/latest.json, or quick.json for --quick so smoke runs never overwrite figures. */
  resultName: string;
}

export const USAGE = `npm run bench -- [options]
  --n 10000[,20000]      add connection counts to the default 1,000 and 5,000
  --only                 measure only the counts given with --n
  --quick                smoke run: 200 connections, 3 repetitions (writes bench/results/quick.json)
  --clients 2            load-client processes
  --reps 10              bid repetitions per size (p50/p99 over these)
  --connect-rate 1000    offered connect + auth rate, connections/s
  --notify-concurrency 16  POST /notifications in flight at once
  --no-socketio          skip the Socket.IO baseline
  --profile              write V8 CPU profiles of the API and the gateway to bench/results/profiles/
  --keep-db              keep the run's MySQL schema (dropped by default)
Database: SQLite by default; DATABASE_URL=mysql://user:pass@host:3306/name uses a fresh schema name_<run> on that server.`;

export const DEFAULT_SIZES = [1_000, 5_000];

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
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
  if (values.only && given.length === 0) throw new UsageError('--only needs --n');
  const quick = values.quick;
  const base = quick ? [200] : DEFAULT_SIZES;
  const sizes = [...new Set(values.only ? given : [...base, ...given])].sort((a, b) => a - b);

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
    resultName: quick ? 'quick' : 'latest',
  };
}

function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value <= 0)
    throw new UsageError(`${flag} must be a positive integer (got "${text}")`);
  return value;
}
