import { Injectable, Logger } from '@nestjs/common';
import type { NotificationReadEvent } from '@gavel/contracts';
import type { AuthUser } from '../../common/auth-user.js';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { PushService } from '../push/push.service.js';
import { type SentNotification, NotificationDeliveryService, toSinceId } from './notification-delivery.service.js';
import {
  type CreateNotificationDto,
  type MarkReadDto,
  type NotificationAcceptedResponse,
  type NotificationPage,
  type NotificationPageQuery,
  toNotificationResponse,
} from './notification.dto.js';
import { NotificationRepository } from './notification.repository.js';

const DEFAULT_PAGE = 50;

export interface NotificationInput {
  userId: number;
  kind: string;
  title: string;
  body?: string | null;
  data?: unknown;
}

export type { SentNotification } from './notification-delivery.service.js';

/**
 * Stored per-user notifications: storing (at most once per Idempotency-Key on POST /notifications) and
 * paging. Who receives a stored notification, and when, is NotificationDeliveryService's part.
 */
@Injectable()
export class NotificationService {
  private readonly logger = new Logger(NotificationService.name);

  constructor(
    private readonly notifications: NotificationRepository,
    private readonly delivery: NotificationDeliveryService,
    private readonly idempotency: IdempotencyService,
    private readonly sockets: PushService,
  ) {}

  /**
   * POST /me/notifications/read: marks the user's notifications up to `upTo` read and tells every
   * connection of the user (`notification.read`), so the other tabs and devices follow. Answered after
   * the push was tried; a failed push loses nothing (GET /me/notifications and auth.ok's `unread` say it).
   */
  async markRead(user: AuthUser, dto: MarkReadDto): Promise<void> {
    const upTo = toSinceId(String(dto.upTo)) ?? 0;
    await this.notifications.markRead(user.id, upTo);
    const event: NotificationReadEvent = { type: 'notification.read', data: { upTo: dto.upTo } };
    await this.sockets.sendToUser(user.id, event).catch((error: unknown) => {
      this.logger.warn(
        `notification.read to user ${user.id} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }

  /**
   * POST /notifications, at most once per Idempotency-Key. `caller` scopes the key: `service` for the
   * service API key, `user:<id>` for an admin.
   */
  async create(
    caller: string,
    dto: CreateNotificationDto,
    idempotencyKey: string | undefined,
  ): Promise<NotificationAcceptedResponse> {
    const input = { userId: Number(dto.userId), kind: dto.kind, title: dto.title, body: dto.body, data: dto.data };
    const answer = await this.idempotency.execute(
      { scope: `${caller}:POST /notifications`, key: idempotencyKey, request: input },
      async () => ({
        statusCode: 202,
        body: await this.sendAndReport(input),
      }),
    );
    return answer.body;
  }

  /**
   * Stores the notification and queues its push to every connection of the user. 413 too large (checked
   * before storing); 404 unknown user — the insert's foreign key says so, no lookup beforehand. Async:
   * a refusal rejects, never throws at the caller (outbid notifications are sent fire-and-forget).
   */
  async send(input: NotificationInput): Promise<SentNotification> {
    const body = input.body ?? null;
    const data = input.data ?? null;
    this.delivery.refuseUndeliverable({ kind: input.kind, title: input.title, body, data });
    return this.delivery.publish(input.userId, () =>
      this.notifications.insert({
        userId: input.userId,
        kind: input.kind,
        title: input.title,
        body,
        data: data === null ? null : JSON.stringify(data),
      }),
    );
  }

  /** Store, push, and answer with what the push reached. */
  async sendAndReport(input: NotificationInput): Promise<NotificationAcceptedResponse> {
    const { notification, delivery } = await this.send(input);
    const report = await delivery;
    return { id: notification.id, deliveredTo: report.deliveredTo, staleRemoved: report.staleRemoved };
  }

  async listForUser(user: AuthUser, query: NotificationPageQuery): Promise<NotificationPage> {
    const limit = query.limit ?? DEFAULT_PAGE;
    const after = toSinceId(query.after === undefined ? undefined : String(query.after)) ?? 0;
    // One row more than asked tells whether there is a next page.
    const rows = await this.notifications.findAfter(user.id, after, limit + 1);
    const page = rows.slice(0, limit);
    return {
      items: page.map(toNotificationResponse),
      nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
    };
  }
}
