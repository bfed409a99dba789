import type { Id } from '@gavel/contracts';
import { h, replaceChildren } from '../lib/dom.js';
import type { ClientNotification, NotificationStore } from '../lib/notification-store.js';
import { formatAgo } from '../lib/time.js';
import { notificationLink } from './notification-text.js';

/**
 * The bell: unread count badge, and a panel listing the latest notifications (Escape or outside click closes).
 * Opening the panel, or "Mark all read", reads everything shown: `readUpTo(newest id)` tells the server, whose
 * `notification.read` then updates every tab and device (this one included).
 */
export function notificationBell(
  store: NotificationStore,
  readUpTo: (id: Id) => void,
): { element: HTMLElement; dispose(): void } {
  const readAll = (): void => {
    const newest = store.newestId;
    if (store.unreadCount > 0 && newest !== null) readUpTo(newest);
  };
  const badge = h('span', { class: 'bell__badge', 'data-testid': 'unread-count' });
  const button = h(
    'button',
    {
      type: 'button',
      class: 'bell',
      'aria-expanded': 'false',
      'aria-controls': 'notification-panel',
      'data-testid': 'notification-bell',
    },
    bellIcon(),
    h('span', { class: 'bell__label' }, 'Notifications'),
    badge,
  );
  const list = h('ol', { class: 'notification-list', 'data-testid': 'notification-list' });
  const markRead = h('button', { type: 'button', class: 'link-button', onclick: readAll }, 'Mark all read');
  const panel = h(
    'section',
    {
      id: 'notification-panel',
      class: 'notification-panel',
      'aria-label': 'Notifications',
      hidden: true,
      tabindex: '-1',
    },
    h('header', { class: 'notification-panel__head' }, h('h2', null, 'Notifications'), markRead),
    list,
  );
  const element = h('div', { class: 'bell-wrap' }, button, panel);

  const setOpen = (open: boolean): void => {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) {
      panel.focus();
      readAll();
    }
  };
  button.addEventListener('click', () => setOpen(!!panel.hidden));
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      setOpen(false);
      button.focus();
    }
  });
  const onDocumentClick = (event: MouseEvent): void => {
    if (!panel.hidden && !element.contains(event.target as Node)) setOpen(false);
  };
  document.addEventListener('click', onDocumentClick);

  const unsubscribe = store.items.subscribe((items) => {
    const unread = store.unreadCount;
    badge.textContent = unread > 99 ? '99+' : String(unread);
    badge.hidden = unread === 0;
    button.setAttribute('aria-label', unread ? `Notifications, ${unread} unread` : 'Notifications, none unread');
    markRead.hidden = unread === 0;
    replaceChildren(
      list,
      items.length
        ? items.map((n) => notificationRow(n, store))
        : h('li', { class: 'notification-list__empty' }, 'Nothing yet. Outbids, wins and messages will show up here.'),
    );
  });

  return {
    element,
    dispose: () => {
      unsubscribe();
      document.removeEventListener('click', onDocumentClick);
    },
  };
}

function notificationRow(n: ClientNotification, store: NotificationStore): HTMLElement {
  const href = notificationLink(n);
  const title = href ? h('a', { href, onclick: () => store.markRead(n.id) }, n.title) : n.title;
  return h(
    'li',
    {
      class: `notification notification--${n.kind.replace(/[^a-z0-9-]/gi, '')}${n.read ? '' : ' notification--unread'}`,
      'data-kind': n.kind,
    },
    h(
      'p',
      { class: 'notification__title' },
      n.read ? null : h('span', { class: 'visually-hidden' }, 'Unread: '),
      title,
    ),
    n.body ? h('p', { class: 'notification__body' }, n.body) : null,
    h(
      'p',
      { class: 'notification__meta' },
      h('span', { class: 'chip' }, n.kind),
      ' ',
      h('time', { datetime: n.ts }, formatAgo(n.ts)),
    ),
  );
}

function bellIcon(): SVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'icon');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute(
    'd',
    'M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z',
  );
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}
