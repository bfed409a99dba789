/** Connect + auth: WebSocket to the gateway, `{"action":"auth","token"}`, until `auth.ok` arrives. */
import type { ConnectResult, SystemUnderTest } from '../client/protocol.js';
import { CONNECTIONS_PER_USER, type BenchContext } from '../context.js';
import type { ConnectFigures } from '../results-schema.js';
import { ratePerSecond, summarize } from '../stats.js';

// Open loop at the offered rate, but never more than this many handshakes pending per client: when the
// stack cannot keep up, the achieved rate shows it, and latency stays bounded instead of piling into timeouts.
const MAX_IN_FLIGHT_PER_CLIENT = 64;
const CONNECT_TIMEOUT_MS = 20_000;

/** Grows the Gavel connections to `target`; connection i (round-robin over the clients) authenticates as user i / 10. */
export async function connectGavel(
  ctx: BenchContext,
  target: number,
  /** The user connection i authenticates as; a retry spreads over every user instead (no user may pass 20). */
  userOf: (i: number) => number = (i) => Math.floor(i / CONNECTIONS_PER_USER),
): Promise<{ figures: ConnectFigures; failures: string }> {
  const from = ctx.openConnections;
  const { clients } = ctx;
  const results = await openConnections(ctx, 'gavel', ctx.stack.gatewayUrl, target - from, (client) => {
    const tokens: string[] = [];
    for (let i = from; i < target; i++) {
      if (i % clients.size === client) tokens.push(ctx.users[userOf(i)]!.token);
    }
    return tokens;
  });
  ctx.openConnections = results.reduce((sum, result) => sum + result.open, 0);
  return { figures: connectFigures(results, ctx.options.connectRatePerSec), failures: failureReasons(results) };
}

export async function openConnections(
  ctx: BenchContext,
  system: SystemUnderTest,
  url: string,
  count: number,
  tokensFor: (client: number) => string[],
  ratePerSec = ctx.options.connectRatePerSec,
  /** Socket.IO: connections per client process (default: `count` split evenly, as Gavel's round-robin does). */
  perClient?: readonly number[],
): Promise<ConnectResult[]> {
  const { clients, progress } = ctx;
  const started = performance.now();
  return clients.all<ConnectResult>(
    (client, id) => ({
      type: 'connect',
      id,
      system,
      url,
      tokens:
        system === 'gavel'
          ? tokensFor(client)
          : new Array<string>(
              perClient?.[client] ?? Math.floor(count / clients.size) + (client < count % clients.size ? 1 : 0),
            ).fill(''),
      ratePerSec: ratePerSec / clients.size,
      maxInFlight: MAX_IN_FLIGHT_PER_CLIENT,
      timeoutMs: CONNECT_TIMEOUT_MS,
    }),
    (done) => {
      const seconds = (performance.now() - started) / 1000;
      progress.update(`${system}: connecting ${done}/${count} (${Math.round(done / seconds)}/s)`);
    },
  );
}

export function connectFigures(results: ConnectResult[], offeredPerSec: number): ConnectFigures {
  const latencies = results.flatMap((result) => result.latenciesMs);
  const failed = results.reduce((sum, result) => sum + Object.values(result.failures).reduce((a, b) => a + b, 0), 0);
  const first = Math.min(...results.map((result) => result.firstStartedAt));
  const last = Math.max(...results.map((result) => result.lastDoneAt));
  const summary = summarize(latencies);
  return {
    count: latencies.length,
    failed,
    offeredPerSec,
    achievedPerSec: ratePerSecond(latencies.length, last - first),
    p50Ms: summary.p50,
    p99Ms: summary.p99,
  };
}

/** "handshake 429" → 12, … over all clients, for the log. */
export function failureReasons(results: ConnectResult[]): string {
  const merged: Record<string, number> = {};
  for (const result of results)
    for (const [reason, count] of Object.entries(result.failures)) merged[reason] = (merged[reason] ?? 0) + count;
  return Object.entries(merged)
    .map(([reason, count]) => `${reason} × ${count}`)
    .join(', ');
}
