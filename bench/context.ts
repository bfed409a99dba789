import type { ClientPool } from './client/client-pool.js';
import type { BenchOptions } from './cli-options.js';
import type { Progress } from './progress.js';
import type { BenchStack } from './stack/bench-stack.js';

export interface BenchUser {
  id: number | string;
  email: string;
  token: string;
}

/** What every phase works with. */
export interface BenchContext {
  options: BenchOptions;
  stack: BenchStack;
  clients: ClientPool;
  progress: Progress;
  /** Connection i authenticates as users[floor(i / CONNECTIONS_PER_USER)]. */
  users: BenchUser[];
  /** Gavel connections open now (phases only ever add). */
  openConnections: number;
}

/** Each user holds this many connections (web tabs, phones), so a notification fans out to ~10 sockets. */
export const CONNECTIONS_PER_USER = 10;
