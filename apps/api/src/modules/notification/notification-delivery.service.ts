import { Injectable, Logger } from '@nestjs/common';
import type { AuthOkEvent } from '@gavel/contracts';
import { KeyedMutex } from '../../common/keyed-mutex.js';
import { type DeliveryReport, PushService } from '../push/push.service.js';
import type { SocketConnection } from '../socket-connection/socket-connection.entity.js';
import type { RegisteredConnection } from '../socket-connection/socket-connection.hook.js';
import { SocketConnectionRepository } from '../socket-connection/socket-connection.repository.js';
import type { Notification } from './notification.entity.js';
import { toNotificationEvent } from './notification-event.js';
import { NotificationRepository } from './notification.repository.js';

/** At most this many missed notifications are replayed on `auth` (contract §5). */
export const REPLAY_LIMIT = 100;
/**
 * A connection row younger than this that this process has not welcomed yet gets no live
 * notifications: its welcome (auth.ok + replay from the database) will carry them. If no welcome
 * comes (the connection registered through another API process), the held notifications are pushed
 * when the grace period ends.
 */
export const WELCOME_GRACE_MS = 10_000;
/** How often a held-back connection's row is checked for a welcome by another API copy. */
const WELCOME_POLL_MS = 200;

export interface SentNotification {
  notification: Notification;
  /** Settles when the push finished; never rejects (the notification is stored either way and replayed on the next `auth`). */
  delivery: Promise<DeliveryReport>;
}

const NOTHING_DELIVERED: DeliveryReport = { deliveredTo: 0, staleRemoved: 0, failed: 0 };

function sumReports(reports: DeliveryReport[]): DeliveryReport {
  return reports.reduce(
    (total, r) => ({
      deliveredTo: total.deliveredTo + r.deliveredTo,
      staleRemoved: total.staleRemoved + r.staleRemoved,
      failed: total.failed + r.failed,
    }),
    NOTHING_DELIVERED,
  );
}

interface HeldBack {
  userId: number;
  rows: Notification[];
  timer: NodeJS.Timeout;
}

/** Compare-and-set rounds on a connection's notifications_sent_after before a welcome gives up replaying. */
const CLAIM_ATTEMPTS = 5;

interface ReplayPlan {
  replay: Notification[];
  /** Held-back notifications that follow the replay. */
  afterwards: Notification[];
  recovered: boolean;
  /** The connection's notifications_sent_after once this is sent. */
  sentAfter: number;
}

/** Ids beyond this are clamped: no notification id can be larger, so nothing is replayed. */
export function toSinceId(since: string | undefined): number | undefined {
  if (since === undefined) return undefined;
  return Math.min(Number(since), Number.MAX_SAFE_INTEGER);
}

/**
 * Delivery of stored notifications to a user's connections: live pushes, and the welcome (`auth.ok`
 * and the replay) of a freshly registered connection. NotificationService stores; this decides who
 * gets what, when, in which order.
 *
 * Ordering: storing a notification and queueing its pushes, and reading the replay and queueing the
 * welcome, happen under one per-user lock. Each connection has a queue that sends in the order things
 * were queued, so a connection gets `auth.ok`, then its replay, then every later notification — each
 * once, in id order (within this API process) — while a user's devices are served in parallel.
 *
 * A connection's row exists a moment before its welcome is queued; a notification stored in between
 * must not go to it live (it would arrive before `auth.ok` and again in the replay), so rows awaiting
 * their welcome are skipped and the notification is held back for them (see WELCOME_GRACE_MS).
 */
@Injectable()
export class NotificationDeliveryService {
  private readonly logger = new Logger(NotificationDeliveryService.name);
  private readonly perUser = new KeyedMutex<number>();
  /** Pushes to one connection, in the order they were queued; different connections are served side by side. */
  private readonly perConnection = new KeyedMutex<string>();
  /** Connections welcomed by this process during the last WELCOME_GRACE_MS (older rows need no bookkeeping). */
  private readonly welcomed = new Map<string, NodeJS.Timeout>();
  private readonly heldBack = new Map<string, HeldBack>();

  constructor(
    private readonly notifications: NotificationRepository,
    private readonly connections: SocketConnectionRepository,
    private readonly sockets: PushService,
  ) {}

  /** Throws EventTooLargeError (413) when API Gateway could not deliver this notification, before anything is stored. */
  refuseUndeliverable(content: { kind: string; title: string; body: string | null; data: unknown }): void {
    // The largest id and a real timestamp: the event as large as it can ever be.
    this.sockets.prepare({
      type: 'notification',
      id: Number.MAX_SAFE_INTEGER,
      ts: new Date().toISOString(),
      data: content,
    });
  }

  /**
   * Runs `store` under the user's lock and queues the stored notification to every connection of the
   * user before the lock is released, so pushes follow id order and never overtake a welcome.
   */
  publish(userId: number, store: () => Promise<Notification>): Promise<SentNotification> {
    return this.perUser.run(userId, async () => {
      const notification = await store();
      const failed = (error: unknown): DeliveryReport => {
        // Stored anyway: the client gets it on its next `auth` with `since`.
        this.logger.error(
          `Push of notification ${notification.id} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        return NOTHING_DELIVERED;
      };
      const queued = await this.queueLive(notification).catch((error: unknown) => ({
        delivery: Promise.resolve(failed(error)),
      }));
      const delivery = queued.delivery.catch(failed);
      return { notification, delivery };
    });
  }

  /**
   * A connection registered (or authenticated again): `auth.ok` first, then every notification with
   * id > since it has not been sent yet, oldest first. When more than REPLAY_LIMIT are due, the newest
   * REPLAY_LIMIT are sent (still oldest first) with `recovered: false`; the client pages the rest with
   * GET /me/notifications.
   *
   * What the connection has been sent is its row's notifications_sent_after (L): every notification of
   * the user with an id above L reached it, replayed here or pushed live — once welcomed, a connection
   * gets every later notification live. So a repeated `auth` replays only (since, L], usually nothing,
   * and costs no query when since ≥ L; the new L is recorded (compare-and-set, so two API copies
   * answering two `auth` frames of one connection cannot both replay) before anything is queued.
   */
  async welcome(connection: RegisteredConnection): Promise<DeliveryReport> {
    const sinceId = toSinceId(connection.since);
    const delivery = await this.perUser.run(connection.userId, async () => {
      this.markWelcomed(connection.connectionId);
      const held = this.heldBack.get(connection.connectionId);
      if (held) {
        clearTimeout(held.timer);
        this.heldBack.delete(connection.connectionId);
      }
      const { replay, afterwards, recovered, unread } = await this.claimReplay(connection, sinceId, held?.rows ?? []);
      const authOk: AuthOkEvent = {
        type: 'auth.ok',
        data: {
          userId: connection.userId,
          connectionId: connection.connectionId,
          replayed: replay.length,
          recovered,
          unread: unread ?? (await this.notifications.countUnread(connection.userId)),
        },
      };
      // Queued while holding the user's lock: no notification stored after the query can be pushed before this.
      const events = [authOk, ...replay.map(toNotificationEvent), ...afterwards.map(toNotificationEvent)];
      return { promise: this.toConnection(connection.connectionId, events) };
    });
    return delivery.promise;
  }

  /**
   * Plans what this `auth` sends and records it on the connection's row; called under the user's lock.
   * `unread`: the user's unread count, read with the cutoff (absent when nothing was read).
   */
  private async claimReplay(
    connection: RegisteredConnection,
    sinceId: number | undefined,
    held: Notification[],
  ): Promise<Omit<ReplayPlan, 'sentAfter'> & { unread?: number }> {
    let sentAfter =
      connection.notificationsSentAfter === undefined
        ? await this.connections.findNotificationsSentAfter(connection.connectionId)
        : connection.notificationsSentAfter;
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS && sentAfter !== undefined; attempt++) {
      // Read before planning: the replay covers ids up to here, live pushes (from any copy) the ones above.
      // auth.ok's unread count comes with it (one round trip; no notification of this process is stored meanwhile).
      const { newestId: cutoff, unread } = await this.notifications.findNewestIdAndUnread(connection.userId);
      const plan = await this.planReplay(connection.userId, sinceId, sentAfter, held, cutoff);
      if (plan.sentAfter === sentAfter) return { ...plan, unread };
      if (await this.connections.moveNotificationsSentAfter(connection.connectionId, sentAfter, plan.sentAfter, cutoff))
        return { ...plan, unread };
      // Another welcome of this connection (another API copy) recorded first, or the row is gone: plan again from what it holds.
      sentAfter = await this.connections.findNotificationsSentAfter(connection.connectionId);
    }
    // No row (the connection went away meanwhile) or no agreement: nothing can be replayed without risking a duplicate.
    if (sentAfter === undefined) return { replay: [], afterwards: [], recovered: true };
    this.logger.warn(`Replay to ${connection.connectionId} skipped: its row kept changing`);
    return { replay: [], afterwards: [], recovered: false };
  }

  /**
   * `known`: the row's notifications_sent_after (null: first welcome). Without `since` nothing old is
   * replayed, but what was held back during the registration is news: it follows auth.ok.
   */
  private async planReplay(
    userId: number,
    sinceId: number | undefined,
    known: number | null,
    held: Notification[],
    cutoff: number,
  ): Promise<ReplayPlan> {
    // Held-back rows the replay below does not cover still have to go out (every id above L is sent).
    const heldAbove = (floor: number | null) => (floor === null ? held : held.filter((row) => row.id > floor));
    if (sinceId === undefined || (known !== null && sinceId >= known)) {
      // Nothing older is asked for. On a first welcome L starts below what is sent from now on: the held-back rows, then live ones.
      const sentAfter = known ?? (held.length > 0 ? held[0]!.id - 1 : cutoff);
      return { replay: [], afterwards: heldAbove(known), recovered: true, sentAfter };
    }
    // (since, L]: the held-back rows are stored, so a first welcome's query includes them.
    const newest = await this.notifications.findNewestAfter(userId, sinceId, REPLAY_LIMIT + 1, known ?? cutoff);
    const recovered = newest.length <= REPLAY_LIMIT;
    const replay = newest.slice(0, REPLAY_LIMIT).reverse();
    let sentAfter: number;
    if (!recovered) sentAfter = newest[REPLAY_LIMIT]!.id;
    // A since beyond the newest id must not hide later notifications from a later `auth`: L never exceeds what exists.
    else if (known === null && newest.length === 0) sentAfter = Math.min(sinceId, cutoff);
    else sentAfter = sinceId;
    return { replay, afterwards: known === null ? [] : heldAbove(known), recovered, sentAfter };
  }

  /** Called under the user's lock: queues the notification to every connection of the user that is not awaiting its welcome. */
  private async queueLive(notification: Notification): Promise<{ delivery: Promise<DeliveryReport> }> {
    const rows = await this.connections.findByUser(notification.userId);
    const now = Date.now();
    const prepared = this.sockets.prepare(toNotificationEvent(notification));
    const pushes: Promise<DeliveryReport>[] = [];
    for (const row of rows) {
      if (this.awaitingWelcome(row, now)) this.holdBack(row, notification, now);
      // Stored before the first welcome planned its replay: that welcome (on whichever copy) covered it.
      else if (row.welcomeCutoff !== null && notification.id <= row.welcomeCutoff) continue;
      else pushes.push(this.toConnection(row.connectionId, [prepared]));
    }
    // Wrapped: an async function would otherwise wait for the deliveries before the lock is released.
    return { delivery: Promise.all(pushes).then(sumReports) };
  }

  /** Queues events for one connection behind whatever was queued for it before. */
  private toConnection(connectionId: string, events: unknown[]): Promise<DeliveryReport> {
    return this.perConnection.run(connectionId, () => this.sockets.sendToConnection(connectionId, events));
  }

  /** Young, and welcomed by no copy yet: the row's notifications_sent_after is the one truth across copies. */
  private awaitingWelcome(row: SocketConnection, now: number): boolean {
    return (
      now - row.createdAt.getTime() < WELCOME_GRACE_MS &&
      row.notificationsSentAfter === null &&
      !this.welcomed.has(row.connectionId)
    );
  }

  private holdBack(row: SocketConnection, notification: Notification, now: number): void {
    const existing = this.heldBack.get(row.connectionId);
    if (existing) {
      existing.rows.push(notification);
      return;
    }
    const graceEndsAt = row.createdAt.getTime() + WELCOME_GRACE_MS;
    const held: HeldBack = { userId: row.userId, rows: [notification], timer: undefined as unknown as NodeJS.Timeout };
    // The welcome may come through another API copy: look at the row every WELCOME_POLL_MS until the grace ends.
    const check = async (): Promise<void> => {
      if (this.heldBack.get(row.connectionId) !== held) return;
      const state = await this.connections.findWelcomeState(row.connectionId).catch(() => null);
      if (state === undefined) {
        this.heldBack.delete(row.connectionId); // the connection is gone
        return;
      }
      if (state?.sentAfter != null || Date.now() >= graceEndsAt)
        return this.releaseHeldBack(row.connectionId, state?.welcomeCutoff ?? null);
      held.timer = setTimeout(() => void check(), Math.min(WELCOME_POLL_MS, Math.max(0, graceEndsAt - Date.now())));
      held.timer.unref();
    };
    held.timer = setTimeout(() => void check(), Math.min(WELCOME_POLL_MS, Math.max(0, graceEndsAt - now)));
    held.timer.unref();
    this.heldBack.set(row.connectionId, held);
  }

  /**
   * No welcome came for this connection in this process (another copy welcomed it, or none did within
   * the grace): push what was held back, in order — except what that welcome's replay covered (≤ cutoff).
   */
  private async releaseHeldBack(connectionId: string, welcomeCutoff: number | null): Promise<void> {
    const held = this.heldBack.get(connectionId);
    if (!held) return;
    await this.perUser.run(held.userId, () => {
      if (this.heldBack.get(connectionId) !== held) return;
      this.heldBack.delete(connectionId);
      const rows = welcomeCutoff === null ? held.rows : held.rows.filter((n) => n.id > welcomeCutoff);
      if (rows.length === 0) return;
      this.toConnection(connectionId, rows.map(toNotificationEvent)).catch((error: unknown) => {
        this.logger.error(
          `Push of held-back notifications to ${connectionId} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    });
  }

  private markWelcomed(connectionId: string): void {
    const previous = this.welcomed.get(connectionId);
    if (previous) clearTimeout(previous);
    const timer = setTimeout(() => this.welcomed.delete(connectionId), WELCOME_GRACE_MS);
    timer.unref();
    this.welcomed.set(connectionId, timer);
  }
}
