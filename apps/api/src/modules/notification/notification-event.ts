import type { NotificationEvent } from '@gavel/contracts';
import type { Notification } from './notification.entity.js';

/** Parses the stored JSON text of `data` (null stays null). */
export function parseNotificationData(data: string | null): unknown {
  return data === null ? null : (JSON.parse(data) as unknown);
}

/** The WebSocket frame of a stored notification: the same bytes live and on replay (ts = when it was stored). */
export function toNotificationEvent(row: Notification): NotificationEvent {
  return {
    type: 'notification',
    id: row.id,
    ts: row.createdAt.toISOString(),
    data: { kind: row.kind, title: row.title, body: row.body, data: parseNotificationData(row.data) },
  };
}
