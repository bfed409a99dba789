import { Injectable, Logger } from '@nestjs/common';
import type { AuthOkEvent } from '../../../../../libs/contracts/src/index.js';
import type { AuthUser } from '../../common/auth-user.js';
import { KeyedMutex } from '../../common/keyed-mutex.js';
import { type DeliveryReport, SocketService } from '../push/socket.service.js';
import type { RegisteredConnection } from '../socket-connection/socket-connection.hook.js';
import { UserRepository } from '../user/user.repository.js';
import { type NotificationAcceptedResponse, type NotificationPage, type NotificationPageQuery, toNotificationResponse } from './notification.dto.js';
import type { Notification } from './notification.entity.js';
import { NotificationRecipientNotFoundError } from './notification.errors.js';
import { toNotificationEvent } from './notification-event.js';
import { NotificationRepository } from './notification.repository.js';

/** At most this many missed notifications are replayed on `auth` (contract §5). */
export const REPLAY_LIMIT = 100;
const DEFAULT_PAGE = 50;

export interface NotificationInput {
  userId: number;
  kind: string;
  title: string;
  body?: string | null;
  data?: unknown;
}

export interface SentNotification {
  notification: Notification;
  /** Settles when the push finished; never rejects (the notification is stored either way and replayed on the next `auth`). */
  delivery: Promise<DeliveryReport>;
}

const NOTHING_DELIVERED: DeliveryReport = { deliveredTo: 0, staleRemoved: 0, failed: 0 };

/** Ids beyond this are clamped: no notification id can be larger, so nothing is replayed. */
function toSinceId(since: string | undefined): number | undefined {
  if (since === undefined) return undefined;
  return Math.min(Number(since), Number.MAX_SAFE_INTEGER);
}

/**
 * Stored per-user notifications, pushed live and replayed on `auth`.
 *
 * Ordering: storing a notification and queueing its push, and reading the replay and queueing the
 * welcome, happen under one per-user lock. Pushes to a user run in SocketService's user lane in the
 * order they were queued, so a connection gets `auth.ok`, then its replay, then every later
 * notification — each once, in id order (within this API process).
 */
@Injectable()
export class NotificationService {
  private readonly logger = new Logger(NotificationService.name);
  private readonly perUser = new KeyedMutex<number>();

  constructor(
    private readonly notifications: NotificationRepository,
    private readonly users: UserRepository,
    private readonly sockets: SocketService,
  ) {}

  /** Stores the notification and queues its push to every connection of the user. 404 unknown user, 413 too large (checked before storing). */
  async send(input: NotificationInput): Promise<SentNotification> {
    if (!(await this.users.findById(input.userId))) throw new NotificationRecipientNotFoundError(input.userId);
    const body = input.body ?? null;
    const data = input.data ?? null;
    // Refuse what API Gateway could not deliver before anything is stored: the largest id and a real timestamp.
    this.sockets.prepare({ type: 'notification', id: Number.MAX_SAFE_INTEGER, ts: new Date().toISOString(), data: { kind: input.kind, title: input.title, body, data } });

    return this.perUser.run(input.userId, async () => {
      const notification = await this.notifications.insert({
        userId: input.userId,
        kind: input.kind,
        title: input.title,
        body,
        data: data === null ? null : JSON.stringify(data),
      });
      const delivery = this.sockets.sendToUser(input.userId, toNotificationEvent(notification)).catch((error: unknown) => {
        this.logger.error(`Push of notification ${notification.id} failed: ${error instanceof Error ? error.message : String(error)}`);
        return NOTHING_DELIVERED;
      });
      return { notification, delivery };
    });
  }

  /** POST /notifications: store, push, and answer with what the push reached. */
  async sendAndReport(input: NotificationInput): Promise<NotificationAcceptedResponse> {
    const { notification, delivery } = await this.send(input);
    const report = await delivery;
    return { id: notification.id, deliveredTo: report.deliveredTo, staleRemoved: report.staleRemoved };
  }

  /**
   * A connection just registered: `auth.ok` first, then every notification with id > since, oldest
   * first. When more than REPLAY_LIMIT were missed, the newest REPLAY_LIMIT are sent (still oldest
   * first) with `recovered: false`; the client pages the rest with GET /me/notifications.
   */
  async welcome(connection: RegisteredConnection): Promise<DeliveryReport> {
    const sinceId = toSinceId(connection.since);
    const delivery = await this.perUser.run(connection.userId, async () => {
      let replay: Notification[] = [];
      let recovered = true;
      if (sinceId !== undefined) {
        const newest = await this.notifications.findNewestAfter(connection.userId, sinceId, REPLAY_LIMIT + 1);
        recovered = newest.length <= REPLAY_LIMIT;
        replay = newest.slice(0, REPLAY_LIMIT).reverse();
      }
      const authOk: AuthOkEvent = {
        type: 'auth.ok',
        data: { userId: connection.userId, connectionId: connection.connectionId, replayed: replay.length, recovered },
      };
      // Queued while holding the user's lock: no notification stored after the query can be pushed before this.
      return { promise: this.sockets.sendToConnection(connection.connectionId, [authOk, ...replay.map(toNotificationEvent)], connection.userId) };
    });
    return delivery.promise;
  }

  async listForUser(user: AuthUser, query: NotificationPageQuery): Promise<NotificationPage> {
    const limit = query.limit ?? DEFAULT_PAGE;
    const after = toSinceId(query.after === undefined ? undefined : String(query.after)) ?? 0;
    // One row more than asked tells whether there is a next page.
    const rows = await this.notifications.findAfter(user.id, after, limit + 1);
    const page = rows.slice(0, limit);
    return { items: page.map(toNotificationResponse), nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
  }
}
