import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnModuleDestroy, Optional } from '@nestjs/common';
import { PUSH_DRAIN_TIMEOUT_MS } from '@gavel/config';
import { KeyedMutex } from '../../common/keyed-mutex.js';
import { ManagementApiClient, type LiveConnection } from './management-api/index.js';
import { PushStats } from './push-stats.js';
import { PreparedEvent, prepareEvent } from './prepared-event.js';

/** Where PushService finds connection rows; the socket-connection repository implements it. */
export interface ConnectionDirectory {
  findConnectionIdsByUser(userId: number): Promise<string[]>;
  /** Rows with id > afterId, ordered by id, at most `limit`. */
  pageConnectionIds(afterId: number, limit: number): Promise<{ id: number; connectionId: string }[]>;
  deleteByConnectionIds(connectionIds: string[]): Promise<number>;
}

export const CONNECTION_DIRECTORY = Symbol('CONNECTION_DIRECTORY');

/** Where PushService finds the connections watching an auction; the subscription repository implements it. */
export interface SubscriberDirectory {
  /** Subscribers of the auction whose snapshot is older than `position`, with socket_connections.id > afterId, ordered by it, at most `limit`. */
  pageSubscriberConnectionIds(
    auctionId: number,
    position: number,
    afterId: number,
    limit: number,
  ): Promise<{ id: number; connectionId: string }[]>;
}

export const SUBSCRIBER_DIRECTORY = Symbol('SUBSCRIBER_DIRECTORY');
export const PUSH_TUNING = Symbol('PUSH_TUNING');

export interface PushTuning {
  /** Management API calls in flight at once for one fan-out (and keep-alive sockets). */
  concurrency: number;
  /** Connection rows read per query while broadcasting. */
  pageSize: number;
  /** Attempts per connection for throttling (429), 5xx and network errors. */
  maxAttempts: number;
  /** Full-jitter exponential backoff: a random delay in [0, min(maxDelayMs, baseDelayMs · 2^(attempt-1))]. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_PUSH_TUNING: PushTuning = {
  concurrency: 64,
  pageSize: 1000,
  maxAttempts: 4,
  baseDelayMs: 50,
  maxDelayMs: 1000,
};

export interface DeliveryReport {
  deliveredTo: number;
  staleRemoved: number;
  failed: number;
}

type Outcome = 'delivered' | 'stale' | 'failed';

/**
 * How long a push keeps retrying to read its recipients while the database does not answer: a bid
 * accepted just before an outage is stored, so it must still reach every connection afterwards.
 */
const ROW_READ_PATIENCE_MS = 30_000;

/** How long shutdown waits for pushes in flight before it closes the HTTP pool anyway (infra/ sizes ECS's stopTimeout on it). */
const DRAIN_TIMEOUT_MS = PUSH_DRAIN_TIMEOUT_MS;

/** After this many ForbiddenExceptions (named 403s) in a row with no success, a 403 means our credentials are wrong, not that a connection is stale. */
const FORBIDDEN_STREAK_MEANS_BAD_CREDENTIALS = 3;

/**
 * Pushes events to connections through the API Gateway management API.
 *
 * * Each event is serialized once, whatever the number of recipients.
 * * Broadcasts page through connection rows (never all at once) and deliver with bounded concurrency.
 * * Broadcasts run one after another, and so do the pushes to one user, so every connection gets
 *   events in the order they were sent (bids in acceptance order, notifications in id order).
 * * Gone (410) and forbidden (403) connections are deleted — the row of that connection, nobody else's;
 *   throttling (429), 5xx and network errors are retried with jittered backoff, a bounded number of times.
 */
@Injectable()
export class PushService implements OnModuleDestroy {
  private readonly logger = new Logger(PushService.name);
  private broadcastLane: Promise<unknown> = Promise.resolve();
  private readonly userLanes = new KeyedMutex<number>();
  /** One lane per auction: its `subscribed` snapshots and its events, in the order they were queued. */
  private readonly channelLanes = new KeyedMutex<number>();
  private forbiddenStreak = 0;
  /** Every push operation not yet settled, so shutdown can let them finish instead of cutting them off. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly api: ManagementApiClient,
    @Inject(CONNECTION_DIRECTORY) private readonly connections: ConnectionDirectory,
    @Inject(PUSH_TUNING) private readonly tuning: PushTuning,
    readonly stats: PushStats,
    // Optional so harnesses that never fan out to an auction (benchmarks, unit specs) need not provide it.
    @Optional() @Inject(SUBSCRIBER_DIRECTORY) private readonly subscribers?: SubscriberDirectory,
  ) {}

  /** Serializes an event once; throws EventTooLargeError (413) when API Gateway could not deliver it. */
  prepare(event: unknown): PreparedEvent {
    return prepareEvent(event);
  }

  /** Every connection of one user, in order with the user's other pushes. */
  sendToUser(userId: number, event: unknown | PreparedEvent): Promise<DeliveryReport> {
    const prepared = this.asPrepared(event);
    return this.track(
      this.userLanes.run(userId, async () =>
        this.fanOut(await this.readRows(() => this.connections.findConnectionIdsByUser(userId)), prepared),
      ),
    );
  }

  /**
   * Several events to one connection, in order (e.g. `auth.ok`, then replayed notifications). With a
   * `userId`, they run in that user's lane, so live notifications cannot overtake them.
   */
  sendToConnection(
    connectionId: string,
    events: unknown | PreparedEvent | Array<unknown | PreparedEvent>,
    userId?: number,
  ): Promise<DeliveryReport> {
    const prepared = (Array.isArray(events) ? events : [events]).map((event) => this.asPrepared(event));
    const run = async (): Promise<DeliveryReport> => {
      for (const event of prepared) {
        const outcome = await this.deliver(connectionId, event);
        if (outcome === 'stale')
          return { deliveredTo: 0, staleRemoved: await this.removeStale([connectionId]), failed: 0 };
        if (outcome === 'failed') return { deliveredTo: 0, staleRemoved: 0, failed: 1 };
      }
      return { deliveredTo: 1, staleRemoved: 0, failed: 0 };
    };
    return this.track(userId === undefined ? run() : this.userLanes.run(userId, run));
  }

  /** Every connection, page by page; broadcasts are delivered one after another, in the order they were called. */
  broadcast(event: unknown | PreparedEvent): Promise<DeliveryReport> {
    const prepared = this.asPrepared(event);
    const run = this.broadcastLane.then(() => this.broadcastNow(prepared));
    this.broadcastLane = run.catch(() => undefined);
    return this.track(run);
  }

  /**
   * An auction's event (a bid at position = its seq, the close at final bid count + 1) to the connections
   * watching it whose snapshot is older than `position`, page by page with bounded concurrency. Per
   * auction in call order, behind any `subscribed` frame queued before it: call both under the auction's lock.
   */
  sendToSubscribers(auctionId: number, position: number, event: unknown | PreparedEvent): Promise<DeliveryReport> {
    const prepared = this.asPrepared(event);
    const subscribers = this.subscribers;
    if (!subscribers) return Promise.reject(new Error('PushService has no subscriber directory'));
    return this.track(
      this.channelLanes.run(auctionId, () =>
        this.fanOutPaged(
          (afterId) => subscribers.pageSubscriberConnectionIds(auctionId, position, afterId, this.tuning.pageSize),
          prepared,
        ),
      ),
    );
  }

  /** A `subscribed` snapshot to one connection, in the auction's lane: every event queued after it reaches the connection after it. */
  sendSnapshot(auctionId: number, connectionId: string, event: unknown | PreparedEvent): Promise<DeliveryReport> {
    const prepared = this.asPrepared(event);
    return this.track(this.channelLanes.run(auctionId, () => this.sendToConnection(connectionId, prepared)));
  }

  /** The gateway's view of a connection, or null when it is gone (its row is then removed). */
  async getLiveConnection(connectionId: string): Promise<LiveConnection | null> {
    const live = await this.api.getConnection(connectionId);
    if (live === null) await this.removeStale([connectionId]);
    return live;
  }

  /** Asks the gateway about each id and removes the rows of those it no longer has (410); other errors keep the row. */
  async removeGoneConnections(connectionIds: string[]): Promise<number> {
    const gone: string[] = [];
    await Promise.all(
      connectionIds.map(async (connectionId) => {
        try {
          if ((await this.api.getConnection(connectionId)) === null) gone.push(connectionId);
        } catch {
          // Throttled, 5xx or no answer: keep the row; only a 410 proves the connection gone.
        }
      }),
    );
    return this.removeStale(gone);
  }

  /** Closes a connection on the gateway and removes its row; false when the gateway no longer had it. */
  async closeConnection(connectionId: string): Promise<boolean> {
    const answer = await this.api.deleteConnection(connectionId);
    await this.connections.deleteByConnectionIds([connectionId]);
    return answer === 'deleted';
  }

  /**
   * Closes these connections at once (sign out everywhere, block, expiry). The rows go first, so no push
   * that reads recipients from now on picks them; then DeleteConnection for each, in parallel. A push that
   * read them just before either reaches the client before its close or gets 410. Returns how many the
   * gateway still had; throws (after trying every one) when the management API failed for any.
   */
  async closeConnections(connectionIds: string[]): Promise<number> {
    if (connectionIds.length === 0) return 0;
    await this.connections.deleteByConnectionIds(connectionIds);
    const answers = await Promise.allSettled(connectionIds.map((id) => this.api.deleteConnection(id)));
    const failure = answers.find((answer) => answer.status === 'rejected');
    if (failure) throw failure.reason;
    return answers.filter((answer) => answer.status === 'fulfilled' && answer.value === 'deleted').length;
  }

  /**
   * Shutdown (SIGTERM → app.close()) lets every push in flight finish — including the ones queued
   * behind them while draining — before the HTTP pool closes. Cutting them off would abort requests
   * the gateway may already have delivered, and their retries would deliver the frame twice.
   */
  async onModuleDestroy(): Promise<void> {
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.allSettled([...this.inFlight]), sleep(deadline - Date.now())]);
    }
    if (this.inFlight.size > 0)
      this.logger.warn(
        `Closing with ${this.inFlight.size} push operations still in flight after ${DRAIN_TIMEOUT_MS} ms`,
      );
    await this.api.close();
  }

  private track<T>(operation: Promise<T>): Promise<T> {
    this.inFlight.add(operation);
    const forget = (): void => void this.inFlight.delete(operation);
    operation.then(forget, forget);
    return operation;
  }

  private asPrepared(event: unknown): PreparedEvent {
    return event instanceof PreparedEvent ? event : this.prepare(event);
  }

  private broadcastNow(prepared: PreparedEvent): Promise<DeliveryReport> {
    return this.fanOutPaged((afterId) => this.connections.pageConnectionIds(afterId, this.tuning.pageSize), prepared);
  }

  /** Pages through recipients (keyset on `id`) and delivers each page with bounded concurrency. */
  private async fanOutPaged(
    read: (afterId: number) => Promise<{ id: number; connectionId: string }[]>,
    prepared: PreparedEvent,
  ): Promise<DeliveryReport> {
    const total: DeliveryReport = { deliveredTo: 0, staleRemoved: 0, failed: 0 };
    const readPage = (afterId: number) => this.readRows(() => read(afterId));
    let page = await readPage(0);
    while (page.length > 0) {
      // Read the next page while this one is being delivered.
      const next = page.length === this.tuning.pageSize ? readPage(page[page.length - 1].id) : Promise.resolve([]);
      const report = await this.fanOut(
        page.map((row) => row.connectionId),
        prepared,
      );
      total.deliveredTo += report.deliveredTo;
      total.staleRemoved += report.staleRemoved;
      total.failed += report.failed;
      page = await next;
    }
    return total;
  }

  private async fanOut(connectionIds: string[], prepared: PreparedEvent): Promise<DeliveryReport> {
    const stale: string[] = [];
    let deliveredTo = 0;
    let failed = 0;
    let cursor = 0;
    const worker = async (): Promise<void> => {
      while (cursor < connectionIds.length) {
        const connectionId = connectionIds[cursor++];
        const outcome = await this.deliver(connectionId, prepared);
        if (outcome === 'delivered') deliveredTo++;
        else if (outcome === 'stale') stale.push(connectionId);
        else failed++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.tuning.concurrency, connectionIds.length) }, worker));
    return { deliveredTo, staleRemoved: await this.removeStale(stale), failed };
  }

  private async deliver(connectionId: string, prepared: PreparedEvent): Promise<Outcome> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.api.postToConnection(connectionId, prepared.payload);
      switch (outcome.kind) {
        case 'delivered':
          this.stats.recordOutcome('delivered');
          this.forbiddenStreak = 0;
          return 'delivered';
        case 'gone':
          this.stats.recordOutcome('gone');
          return 'stale';
        case 'forbidden':
          if (!outcome.named || ++this.forbiddenStreak < FORBIDDEN_STREAK_MEANS_BAD_CREDENTIALS) {
            this.stats.recordOutcome('forbidden');
            return 'stale';
          }
          if (this.forbiddenStreak === FORBIDDEN_STREAK_MEANS_BAD_CREDENTIALS) {
            this.logger.error(
              'The management API refuses every push (403): check AWS_REGION and the credentials or IAM role the API signs with',
            );
          }
          // Our credentials, not the connection: a failure (the row stays).
          this.stats.recordRefusedCredentials();
          this.logger.warn(`Push to ${connectionId} failed: ${outcome.detail}`);
          return 'failed';
        case 'throttled':
        case 'failed':
          if ((outcome.kind === 'throttled' || outcome.retryable) && attempt < this.tuning.maxAttempts) {
            this.stats.recordRetry(outcome.kind);
            await sleep(Math.random() * Math.min(this.tuning.maxDelayMs, this.tuning.baseDelayMs * 2 ** (attempt - 1)));
            continue;
          }
          break;
        case 'too-large':
          break;
      }
      this.stats.recordOutcome(outcome.kind);
      this.logger.warn(`Push to ${connectionId} failed: ${outcome.detail}`);
      return 'failed';
    }
  }

  /** Reads recipients, waiting out a database that does not answer (bounded by ROW_READ_PATIENCE_MS). */
  private async readRows<T>(read: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + ROW_READ_PATIENCE_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        return await read();
      } catch (error) {
        if (Date.now() >= deadline) throw error;
        if (attempt === 1)
          this.logger.warn(`Reading push recipients failed, retrying until the database answers: ${describe(error)}`);
        await sleep(Math.min(2_000, 100 * 2 ** (attempt - 1), Math.max(0, deadline - Date.now())));
      }
    }
  }

  private async removeStale(connectionIds: string[]): Promise<number> {
    if (connectionIds.length === 0) return 0;
    let removed: number;
    try {
      removed = await this.connections.deleteByConnectionIds(connectionIds);
    } catch (error) {
      // The rows stay; the next push to them (or the sweeper) finds them stale again.
      this.logger.warn(`Could not remove ${connectionIds.length} stale connection rows: ${describe(error)}`);
      return 0;
    }
    this.stats.staleRemoved += removed;
    return removed;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
