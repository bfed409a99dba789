import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { PUSH_OUTCOMES, PUSH_RETRY_REASONS, PushStats } from '../push/push-stats.js';
import { SocketConnectionRepository } from '../socket-connection/socket-connection.repository.js';
import { SubscriptionRepository } from '../socket-connection/subscription.repository.js';
import { MetricsRegistry } from './metrics.registry.js';

/** How long one read of the connection and subscription counts serves scrapes: a scrape every few seconds costs one query set. */
export const DATABASE_COUNTS_TTL_MS = 5_000;

interface DatabaseCounts {
  connections: number;
  usersOnline: number;
  subscriptions: number;
}

/** The subset of mysql2's Pool read here; mysql2 has no public pool statistics, so these are its own fields. */
interface Mysql2PoolInternals {
  config?: { connectionLimit?: number };
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

/**
 * Metrics read when Prometheus scrapes, registered on the app's MetricsRegistry:
 *
 * * pushes by outcome and retries by reason — this copy's PushStats, as counters (sum them over copies);
 * * connections, users online and subscriptions — COUNT(*) on the shared database, cached briefly. Not
 *   counters kept in memory: with several API copies, a connection registers through one copy and its
 *   `$disconnect` may arrive at another, so only the database is right. Every copy reports the same
 *   value: take max(), not sum();
 * * the mysql2 pool of this copy (SQLite has one synchronous connection and no pool: none reported).
 */
@Injectable()
export class AppMetrics {
  private readonly logger = new Logger(AppMetrics.name);
  private cached: { at: number; counts: Promise<DatabaseCounts> } | undefined;
  private lastCounts: DatabaseCounts | undefined;

  constructor(
    metrics: MetricsRegistry,
    stats: PushStats,
    private readonly connections: SocketConnectionRepository,
    private readonly subscriptions: SubscriptionRepository,
    dataSource: DataSource,
  ) {
    const registers = [metrics.registry];
    new Counter({
      name: 'gavel_pushes_total',
      help: 'Pushes (one event to one connection) by how they ended, after retries: delivered, gone (410), forbidden (403), throttled (429 after every retry), too-large (413), failed',
      labelNames: ['outcome'] as const,
      registers,
      collect() {
        this.reset();
        for (const outcome of PUSH_OUTCOMES) this.inc({ outcome }, stats.outcomes[outcome]);
      },
    });
    new Counter({
      name: 'gavel_push_retries_total',
      help: 'Push attempts repeated after throttling (429) or a retryable failure (5xx, network)',
      labelNames: ['reason'] as const,
      registers,
      collect() {
        this.reset();
        for (const reason of PUSH_RETRY_REASONS) this.inc({ reason }, stats.retriesBy[reason]);
      },
    });
    new Counter({
      name: 'gavel_stale_connections_removed_total',
      help: 'Connection rows deleted because the gateway answered 410 Gone or 403 for them',
      registers,
      collect() {
        this.reset();
        this.inc(stats.staleRemoved);
      },
    });

    const counts = (): Promise<DatabaseCounts | undefined> => this.databaseCounts();
    const gauge = (name: string, help: string, pick: (c: DatabaseCounts) => number) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          const read = await counts();
          if (read) this.set(pick(read));
        },
      });
    gauge('gavel_socket_connections', 'Registered WebSocket connections (database, all copies)', (c) => c.connections);
    gauge(
      'gavel_users_online',
      'Users with at least one registered connection (database, all copies)',
      (c) => c.usersOnline,
    );
    gauge(
      'gavel_subscriptions',
      'Auction subscriptions of live connections (database, all copies)',
      (c) => c.subscriptions,
    );

    const type = dataSource.options.type;
    if (type === 'mysql' || type === 'mariadb') {
      const pool = (): Mysql2PoolInternals | undefined =>
        (dataSource.driver as unknown as { pool?: Mysql2PoolInternals }).pool;
      new Gauge({
        name: 'gavel_db_pool_connections',
        help: "This copy's mysql2 pool: open connections by state",
        labelNames: ['state'] as const,
        registers,
        collect() {
          const p = pool();
          if (p?._allConnections === undefined || p._freeConnections === undefined) return;
          this.set({ state: 'idle' }, p._freeConnections.length);
          this.set({ state: 'in_use' }, p._allConnections.length - p._freeConnections.length);
        },
      });
      new Gauge({
        name: 'gavel_db_pool_waiting_requests',
        help: 'Queries of this copy waiting for a free pool connection',
        registers,
        collect() {
          const queue = pool()?._connectionQueue;
          if (queue) this.set(queue.length);
        },
      });
      new Gauge({
        name: 'gavel_db_pool_max_connections',
        help: "This copy's pool size (connectionLimit)",
        registers,
        collect() {
          const limit = pool()?.config?.connectionLimit;
          if (limit !== undefined) this.set(limit);
        },
      });
    }
  }

  /** One read per DATABASE_COUNTS_TTL_MS, shared by the three gauges; a failing database keeps the last values. */
  private async databaseCounts(): Promise<DatabaseCounts | undefined> {
    if (!this.cached || Date.now() - this.cached.at > DATABASE_COUNTS_TTL_MS) {
      this.cached = {
        at: Date.now(),
        counts: Promise.all([
          this.connections.count(),
          this.connections.countUsersOnline(),
          this.subscriptions.count(),
        ]).then(([connections, usersOnline, subscriptions]) => ({ connections, usersOnline, subscriptions })),
      };
    }
    const pending = this.cached;
    try {
      this.lastCounts = await pending.counts;
    } catch (error) {
      if (this.cached === pending) this.cached = undefined;
      this.logger.warn(
        `Metrics: could not count connections: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return this.lastCounts;
  }
}
