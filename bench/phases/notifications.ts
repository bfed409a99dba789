/**
 * Per-user notifications: many `POST /notifications` at once (service key), each to one user holding
 * ~10 connections; every delivery's latency is measured from just before its request was sent
 * (the send time travels in the notification's `data`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DEV_DEFAULTS } from '@gavel/config';
import type { CollectNotificationsResult } from '../client/protocol.js';
import { epochNow } from '../clock.js';
import { CONNECTIONS_PER_USER, type BenchContext } from '../context.js';
import type { NotificationFigures } from '../results-schema.js';
import { mapConcurrent, requestJson } from '../rest.js';
import { ratePerSecond, summarize } from '../stats.js';

const DRAIN_TIMEOUT_MS = 15_000;

/** How many notifications one size sends: enough for a few seconds of steady load. */
export function notificationCount(connections: number, quick: boolean): number {
  if (quick) return 100;
  return Math.max(200, Math.min(3_000, Math.round(connections * 0.4)));
}

export async function measureNotifications(ctx: BenchContext, count: number): Promise<NotificationFigures> {
  const { apiUrl } = ctx.stack;
  const serviceKey = process.env.SERVICE_API_KEY || DEV_DEFAULTS.SERVICE_API_KEY;
  // Only users whose connections are all open; connection i belongs to user floor(i / 10).
  const connectionsOf = (user: number): number =>
    Math.max(0, Math.min(CONNECTIONS_PER_USER, ctx.openConnections - user * CONNECTIONS_PER_USER));
  const recipients = Math.ceil(ctx.openConnections / CONNECTIONS_PER_USER);
  let expected = 0;
  let sent = 0;
  await collect(ctx); // discard anything older

  const firstSentAt = epochNow();
  await mapConcurrent(
    Array.from({ length: count }, (_, i) => i),
    ctx.options.notificationConcurrency,
    async (seq) => {
      const user = seq % recipients;
      expected += connectionsOf(user);
      await requestJson(apiUrl, 'POST', '/notifications', {
        headers: { 'x-api-key': serviceKey },
        body: {
          userId: ctx.users[user]!.id,
          kind: 'bench',
          title: `Benchmark ${seq}`,
          data: { seq, sentAt: epochNow() },
        },
        expect: [202],
      });
      sent++;
      if (sent % 50 === 0) ctx.progress.update(`notifications: ${sent}/${count} sent`);
    },
  );

  const latencies: number[] = [];
  let lastAt = 0;
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (latencies.length < expected && Date.now() < deadline) {
    await sleep(50);
    for (const result of await collect(ctx)) {
      latencies.push(...result.latenciesMs);
      lastAt = Math.max(lastAt, result.lastAt);
    }
    ctx.progress.update(`notifications: ${latencies.length}/${expected} delivered`);
  }
  const summary = summarize(latencies);
  return {
    notifications: count,
    deliveries: latencies.length,
    missed: Math.max(0, expected - latencies.length),
    deliveredPerSec: ratePerSecond(latencies.length, lastAt - firstSentAt),
    p50Ms: summary.p50,
    p99Ms: summary.p99,
  };
}

function collect(ctx: BenchContext): Promise<CollectNotificationsResult[]> {
  return ctx.clients.all<CollectNotificationsResult>((_, id) => ({ type: 'collect-notifications', id }));
}
