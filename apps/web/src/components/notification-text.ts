import type { ClientNotification } from '../lib/notification-store.js';
import type { Toast } from './toaster.js';

/** Where a notification leads: its auction's room when it names one. */
export function notificationLink(n: Pick<ClientNotification, 'data'>): string | undefined {
  const data = n.data as { auctionId?: unknown } | null | undefined;
  const id = data && typeof data === 'object' ? data.auctionId : undefined;
  return typeof id === 'number' || (typeof id === 'string' && id !== '')
    ? `#/auctions/${encodeURIComponent(String(id))}`
    : undefined;
}

/** outbid → warning, won → success, anything a service sends → info. */
export function notificationToast(n: Pick<ClientNotification, 'kind' | 'title' | 'body' | 'data'>): Toast {
  const href = notificationLink(n);
  const tone = n.kind === 'outbid' ? 'warning' : n.kind === 'won' ? 'success' : 'info';
  return {
    title: n.title,
    body: n.body,
    tone,
    kind: n.kind,
    action: href ? { label: n.kind === 'outbid' ? 'Bid again' : 'View auction', href } : undefined,
  };
}
